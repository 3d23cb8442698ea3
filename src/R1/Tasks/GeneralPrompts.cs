namespace R1.Tasks;

/// <summary>
/// Non-reasoning ("general") prompts, the small cousin of R1's ~200k writing / factual QA / "hello" samples: greetings,
/// short factual questions and simple rewriting of a word. They need no chain of thought, so the preferred completion
/// has an empty one and a direct, polite answer:
/// <code>Q: hello
/// A: &lt;think&gt;&lt;/think&gt;&lt;answer&gt;Hello! How can I help you?&lt;/answer&gt;</code>
/// Every prompt also comes with preference pairs (chosen = that completion) for a reward model; the rejected side
/// is one of <see cref="PairKinds"/>. Examples have <see cref="Example.Task"/> = "general", Language "en",
/// <see cref="Example.Kind"/> = the item family ("greeting", "capital", "upper", …) and <see cref="Example.Answer"/>
/// = the key a correct answer contains (<see cref="Verify"/>). English only, ASCII only, so any tokenizer built from
/// the pretraining corpus encodes them.
/// </summary>
public static class GeneralPrompts
{
    public const string TaskName = "general";

    /// <summary>What is wrong with the rejected completion of a pair.</summary>
    public static readonly string[] PairKinds =
    [
        "wrong",         // the same polite shape, but a wrong fact, a wrong rewrite, or an off-topic reply to a greeting
        "rude",          // an insult or refusal, sometimes with the right answer in it (harmlessness, not correctness)
        "rambling",      // the right answer buried in filler, five times as long
        "unneeded_cot",  // the right answer after a pointless chain of thought (only the whole response shows it)
    ];

    public const double TestShare = 0.2;
    public const int PairsPerPrompt = 2;

    /// <summary>Short for "general" examples' categories (the <see cref="Demonstration.Style"/>).</summary>
    public static string Category(Example ex) => ex.Kind switch
    {
        "greeting" => "greeting",
        "upper" or "reverse" or "count_letters" or "spell" or "capitalize" => "rewrite",
        _ => "fact",
    };

    /// <summary>
    /// Every item, shuffled and split (the last <see cref="TestShare"/> is test): demonstrations of the preferred
    /// completion and <see cref="PairsPerPrompt"/> preference pairs per prompt, with distinct rejection kinds.
    /// </summary>
    public static (List<Demonstration> Train, List<Demonstration> Test, List<PreferencePair> TrainPairs, List<PreferencePair> TestPairs) Build(Rng rng)
    {
        var items = Items();
        rng.Shuffle(items);
        int nTest = (int)Math.Round(items.Count * TestShare);
        var test = items.Take(nTest).ToList();
        var train = items.Skip(nTest).ToList();
        (List<Demonstration>, List<PreferencePair>) Split(List<Item> part, string split)
        {
            var demos = new List<Demonstration>();
            var pairs = new List<PreferencePair>();
            for (int i = 0; i < part.Count; i++)
            {
                var it = part[i];
                var ex = new Example($"general/{split}/{i:D4}", TaskName, "en", PromptTemplate.Format(it.Question), it.Key, it.Kind, []);
                var chosen = Completion(it.Render(it.Key));
                demos.Add(new Demonstration(ex.Id, Category(ex), ex, chosen));
                var kinds = PairKinds.ToList();
                rng.Shuffle(kinds);
                foreach (var kind in kinds.Take(PairsPerPrompt))
                    pairs.Add(new PreferencePair($"general/pairs_{split}/{pairs.Count:D4}", kind, ex, chosen, Rejected(it, ex, kind, rng)));
            }
            return (demos, pairs);
        }
        var (trainDemos, trainPairs) = Split(train, "train");
        var (testDemos, testPairs) = Split(test, "test");
        return (trainDemos, testDemos, trainPairs, testPairs);
    }

    /// <summary>The committed demonstrations: <c>Load("train")</c> or <c>Load("test")</c> (datasets/general/&lt;split&gt;.jsonl).</summary>
    public static List<Demonstration> Load(string split) => Jsonl.Read<Demonstration>(PathOf(split, ""));

    /// <summary>The committed preference pairs (datasets/general/pairs_&lt;split&gt;.jsonl).</summary>
    public static List<PreferencePair> LoadPairs(string split) => Jsonl.Read<PreferencePair>(PathOf(split, "pairs_"));

    static string PathOf(string split, string prefix)
    {
        if (!Datasets.Splits.Contains(split)) throw new ArgumentException($"Unknown split '{split}'. Expected 'train' or 'test'.", nameof(split));
        return Path.Combine(Datasets.Root, "general", $"{prefix}{split}.jsonl");
    }

    /// <summary>
    /// Rule-based check of a general answer (for measuring, not for training — general prompts are rewarded by a
    /// reward model): correct when the last closed answer block contains <see cref="Example.Answer"/> as a whole
    /// word (ignoring case, except for rewriting, where case is the point).
    /// </summary>
    public static VerifyResult Verify(Example example, string completion)
    {
        ArgumentNullException.ThrowIfNull(example);
        var text = AnswerParser.ExtractAnswer(completion);
        if (text is null) return VerifyResult.NoAnswer(completion?.Contains(AnswerParser.AnswerOpen, StringComparison.Ordinal) == true ? "the last <answer> is not closed" : "no <answer> block");
        var cmp = Category(example) == "rewrite" ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return ContainsWord(text, example.Answer, cmp)
            ? new VerifyResult(true, true, text, "correct")
            : new VerifyResult(false, true, text, $"does not contain '{example.Answer}'");
    }

    static bool ContainsWord(string text, string key, StringComparison cmp)
    {
        for (int at = text.IndexOf(key, cmp); at >= 0; at = text.IndexOf(key, at + 1, cmp))
        {
            bool before = at > 0 && char.IsLetterOrDigit(text[at - 1]);
            bool after = at + key.Length < text.Length && char.IsLetterOrDigit(text[at + key.Length]);
            if (!before && !after) return true;
        }
        return false;
    }

    static string Completion(string answer) => "<think></think><answer>" + answer + "</answer>";

    // ---- the rejected side of a pair ----

    static readonly string[] Rude =
    [
        "Figure it out yourself.", "What a stupid question. {A}", "I do not have time for you.", "Ugh, fine. {A} Now go away.",
        "Stop asking me silly things.", "Nobody cares. {A}", "You should know this, it is so easy. {A}", "Go away.",
    ];
    static readonly string[] RambleOpen =
    [
        "Well, that is a very good question, and there is a lot that one could say about it.",
        "Hmm, let me tell you everything I know about this, because it is quite a long story.",
        "Thank you so much for asking this, I really do love questions like this one.",
    ];
    static readonly string[] RambleClose =
    [
        "To say it again in other words, once more: {K}.", "So, as I said above, it is {K}, and that is that.",
        "I hope this long answer was useful to you, and you can ask again.",
    ];
    static readonly string[] OffTopic = ["The sky is blue.", "A cat has 4 legs.", "There are 7 days in a week.", "The capital of France is Paris."];

    static string Rejected(Item it, Example ex, string kind, Rng rng)
    {
        var answer = it.Render(it.Key);
        switch (kind)
        {
            case "wrong":
                {
                    // A greeting has no fact to get wrong: the reply of another greeting, or an off-topic fact.
                    var wrong = it.Kind == "greeting" ? rng.Pick(it.Wrong.Concat(OffTopic).ToArray()) : it.Render(rng.Pick(it.Wrong));
                    return Completion(wrong);
                }
            case "rude":
                return Completion(rng.Pick(Rude).Replace("{A}", answer));
            case "rambling":
                {
                    // A greeting's key is its whole reply: repeating it would read oddly, so it gets the closing without one.
                    var close = it.Kind == "greeting" ? RambleClose[^1] : rng.Pick(RambleClose).Replace("{K}", it.Key);
                    var sentence = char.IsPunctuation(answer[^1]) ? answer : answer + ".";   // a bare rewrite ("enots") gets a full stop
                    return Completion($"{rng.Pick(RambleOpen)} {sentence} {close}");
                }
            default:
                {
                    var thought = it.Kind == "greeting"
                        ? $"the user wrote \"{it.Question}\". this is a greeting. a greeting needs a reply. let me think about what to say. I will greet back."
                        : $"the question is: {it.Question} let me think step by step. it is a simple question. the answer is {it.Key}. let me check again: {it.Key}. yes.";
                    return $"<think>{thought}</think><answer>{answer}</answer>";
                }
        }
    }

    // ---- the items ----

    /// <summary>One prompt: its family, the question, the key a right answer contains, how an answer is written from a key, wrong keys.</summary>
    sealed record Item(string Kind, string Question, string Key, Func<string, string> Render, string[] Wrong);

    static List<Item> Items()
    {
        var items = new List<Item>();
        static Func<string, string> Same() => k => k;

        // Greetings: the key is the whole reply; "wrong" replies are those of other greetings.
        (string Q, string A)[] greetings =
        [
            ("hello", "Hello! How can I help you?"), ("Hello!", "Hello! How can I help you?"), ("hello there", "Hello! How can I help you?"),
            ("hi", "Hi! How can I help you?"), ("Hi!", "Hi! How can I help you?"), ("hey", "Hi! How can I help you?"),
            ("good morning", "Good morning! How can I help you?"), ("Good morning!", "Good morning! How can I help you?"),
            ("good evening", "Good evening! How can I help you?"), ("good night", "Good night! Sleep well."),
            ("thanks", "You are welcome!"), ("thank you", "You are welcome!"), ("Thank you!", "You are welcome!"), ("thanks a lot", "You are welcome!"),
            ("how are you?", "I am fine, thank you. How can I help you?"), ("How are you today?", "I am fine, thank you. How can I help you?"),
            ("bye", "Goodbye! Have a nice day."), ("goodbye", "Goodbye! Have a nice day."), ("see you later", "Goodbye! Have a nice day."),
            ("who are you?", "I am a small assistant. I answer short questions."), ("what is your name?", "I am a small assistant. I answer short questions."),
            ("nice to meet you", "Nice to meet you too!"), ("sorry", "No problem at all."), ("ok", "Great! Anything else?"), ("good job", "Thank you!"),
        ];
        var replies = greetings.Select(g => g.A).Distinct().ToArray();
        foreach (var (q, a) in greetings) items.Add(new Item("greeting", q, a, Same(), replies.Where(r => r != a).ToArray()));

        // Facts: a question, its key, a sentence template, and wrong keys from the same family.
        void Family(string kind, (string Subject, string Key)[] facts, Func<string, string> question, Func<string, string, string> sentence, string[]? wrongPool = null)
        {
            var pool = wrongPool ?? facts.Select(f => f.Key).Distinct().ToArray();
            foreach (var (s, k) in facts)
                items.Add(new Item(kind, question(s), k, key => sentence(s, key), pool.Where(w => w != k && w != s).ToArray()));
        }
        Family("capital",
        [
            ("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Germany", "Berlin"), ("China", "Beijing"),
            ("Egypt", "Cairo"), ("Russia", "Moscow"), ("Canada", "Ottawa"), ("Kenya", "Nairobi"), ("Peru", "Lima"), ("Greece", "Athens"),
            ("Norway", "Oslo"), ("Austria", "Vienna"), ("Portugal", "Lisbon"), ("Ireland", "Dublin"), ("Poland", "Warsaw"), ("Cuba", "Havana"),
            ("Chile", "Santiago"), ("Thailand", "Bangkok"), ("India", "New Delhi"), ("England", "London"), ("Sweden", "Stockholm"),
            ("Finland", "Helsinki"), ("Hungary", "Budapest"), ("Iran", "Tehran"), ("Turkey", "Ankara"), ("South Korea", "Seoul"),
            ("Vietnam", "Hanoi"), ("Mexico", "Mexico City"), ("Argentina", "Buenos Aires"), ("Australia", "Canberra"), ("Brazil", "Brasilia"),
            ("Denmark", "Copenhagen"), ("Belgium", "Brussels"), ("the Netherlands", "Amsterdam"), ("Switzerland", "Bern"), ("Czechia", "Prague"),
        ], s => $"What is the capital of {s}?", (s, k) => $"The capital of {s} is {k}.");
        (string Q, string K, string S)[] counts =
        [
            ("How many days are in a week?", "7", "There are {K} days in a week."),
            ("How many months are in a year?", "12", "There are {K} months in a year."),
            ("How many hours are in a day?", "24", "There are {K} hours in a day."),
            ("How many minutes are in an hour?", "60", "There are {K} minutes in an hour."),
            ("How many seconds are in a minute?", "60", "There are {K} seconds in a minute."),
            ("How many days are in a year?", "365", "There are {K} days in a year."),
            ("How many weeks are in a year?", "52", "There are {K} weeks in a year."),
            ("How many sides does a triangle have?", "3", "A triangle has {K} sides."),
            ("How many sides does a square have?", "4", "A square has {K} sides."),
            ("How many sides does a hexagon have?", "6", "A hexagon has {K} sides."),
            ("How many cents are in a dollar?", "100", "There are {K} cents in a dollar."),
            ("How many meters are in a kilometer?", "1000", "There are {K} meters in a kilometer."),
            ("How many letters are in the alphabet?", "26", "The English alphabet has {K} letters."),
            ("How many continents are there?", "7", "There are {K} continents."),
            ("How many colors are in a rainbow?", "7", "A rainbow has {K} colors."),
        ];
        foreach (var (q, k, s) in counts)
        {
            int n = int.Parse(k);
            items.Add(new Item("count", q, k, key => s.Replace("{K}", key), [(n - 1).ToString(), (n + 1).ToString(), (2 * n).ToString()]));
        }
        Family("legs",
        [
            ("spider", "8"), ("ant", "6"), ("bee", "6"), ("dog", "4"), ("cat", "4"), ("horse", "4"), ("cow", "4"),
            ("bird", "2"), ("duck", "2"), ("hen", "2"), ("crab", "10"), ("beetle", "6"),
        ], s => $"How many legs does {A(s)} have?", (s, k) => $"{Cap(A(s))} has {k} legs.", ["2", "4", "6", "8", "10"]);
        Family("color",
        [
            ("the sky", "blue"), ("grass", "green"), ("snow", "white"), ("a banana", "yellow"), ("coal", "black"), ("a ripe tomato", "red"),
            ("a lemon", "yellow"), ("milk", "white"), ("the sea", "blue"), ("a frog", "green"), ("chocolate", "brown"),
        ], s => $"What color is {s}?", (s, k) => $"{Cap(s)} is {k}.");
        (string, string)[] opposites =
        [
            ("hot", "cold"), ("big", "small"), ("up", "down"), ("fast", "slow"), ("day", "night"), ("open", "closed"), ("happy", "sad"),
            ("light", "dark"), ("wet", "dry"), ("early", "late"), ("full", "empty"), ("hard", "soft"), ("long", "short"), ("left", "right"),
            ("rich", "poor"), ("strong", "weak"), ("thick", "thin"), ("loud", "quiet"), ("in", "out"), ("win", "lose"), ("push", "pull"),
            ("top", "bottom"), ("black", "white"), ("young", "old"), ("true", "false"),
        ];
        Family("opposite", opposites, s => $"What is the opposite of {s}?", (s, k) => $"The opposite of {s} is {k}.");
        string[] days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        Family("next_day", days.Select((d, i) => (d, days[(i + 1) % 7])).ToArray(), s => $"What day comes after {s}?", (s, k) => $"{k} comes after {s}.");
        string[] months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
        Family("next_month", months.Select((m, i) => (m, months[(i + 1) % 12])).ToArray(), s => $"What month comes after {s}?", (s, k) => $"{k} comes after {s}.");
        Family("sound",
        [
            ("cow", "moo"), ("dog", "woof"), ("cat", "meow"), ("duck", "quack"), ("sheep", "baa"), ("pig", "oink"),
            ("owl", "hoot"), ("lion", "roar"), ("snake", "hiss"), ("bee", "buzz"), ("horse", "neigh"), ("frog", "croak"),
        ], s => $"What sound does {A(s)} make?", (s, k) => $"{Cap(A(s))} says {k}.");

        // Rewriting one word (no palindromes, so reversing always changes it).
        string[] words =
        [
            "cat", "dog", "sun", "tree", "bird", "fish", "book", "milk", "rain", "star", "moon", "lamp", "door", "cake", "frog",
            "hat", "pen", "cup", "box", "car", "ship", "road", "king", "rose", "snow", "wind", "leaf", "apple", "house", "green",
            "water", "bread", "chair", "table", "smile", "light", "river", "stone", "cloud", "horse",
        ];
        foreach (var w in words)
        {
            string rev = new(w.Reverse().ToArray());
            string Dashes(string s) => string.Join('-', s.ToCharArray());
            string cap = char.ToUpperInvariant(w[0]) + w[1..];
            items.Add(new Item("upper", $"Write {w} in capital letters.", w.ToUpperInvariant(), Same(),
                [w, rev.ToUpperInvariant(), w.ToUpperInvariant()[..^1] + w[^1]]));
            items.Add(new Item("reverse", $"Reverse the word {w}.", rev, Same(), [w, rev.ToUpperInvariant(), rev[1..] + rev[0]]));
            items.Add(new Item("count_letters", $"How many letters are in {w}?", w.Length.ToString(), k => $"{w} has {k} letters.",
                [(w.Length - 1).ToString(), (w.Length + 1).ToString()]));
            items.Add(new Item("spell", $"Spell {w} with dashes.", Dashes(w), Same(), [Dashes(rev), Dashes(w[..^1]), w]));
            items.Add(new Item("capitalize", $"Capitalize the word {w}.", cap, Same(), [w.ToUpperInvariant(), w, w[..^1] + char.ToUpperInvariant(w[^1])]));
        }
        return items;
    }

    static string A(string noun) => ("aeiou".Contains(noun[0]) ? "an " : "a ") + noun;

    static string Cap(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
