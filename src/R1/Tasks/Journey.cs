namespace R1.Tasks;

/// <summary>
/// Journey learning (the O1-journey report): SFT data that walks a wrong path, notices it, says "wait", and then
/// solves the problem — next to the same problems solved by the clean shortcut. The two variants share prompt,
/// correct work and summary; the journey one only adds the detour in front:
/// <code>clean:   &lt;think&gt;7*6=42, carry 4, got 2. 4*6+4=28, got 282. So 47*6 is 282.&lt;/think&gt;&lt;answer&gt;282&lt;/answer&gt;
/// journey: &lt;think&gt;47*6=242? let me check: 242/6 is not 47. wait, 242 is wrong. work it out digit by digit. 7*6=42, …&lt;/think&gt;…</code>
/// Detours: arithmetic — a slipped result (dropped carry or a digit off) caught by the inverse operation; word
/// problems — the wrong operation, caught by what the quantity means; Countdown — an equation taken for a hit,
/// caught by working it out. Chinese word problems get Chinese detours (same language throughout).
/// </summary>
public static class Journey
{
    public static readonly string[] Variants = ["clean", "journey"];

    /// <summary>
    /// <paramref name="perTask"/> examples from each task's train split, shuffled; item i of both lists is the same
    /// example (ids "journey/clean/0000" and "journey/journey/0000").
    /// </summary>
    public static (List<Demonstration> Clean, List<Demonstration> Journey) Build(Rng rng, IReadOnlyDictionary<string, List<Example>> trainByTask, int perTask)
    {
        var pairs = new List<(Example Ex, string Clean, string Journey)>();
        foreach (var task in TaskRegistry.All)
            foreach (var ex in ColdStart.Pick(rng, trainByTask[task.Name], perTask))
            {
                var work = CleanWork(ex, rng);
                var detour = Detour(ex, rng);
                string Completion(string think) => ColdStart.Tag("think", think + ColdStart.Gap(ex) + ColdStart.Summary(ex)) + ColdStart.Tag("answer", ex.Answer);
                pairs.Add((ex, Completion(work), Completion(detour + ColdStart.Gap(ex) + work)));
            }
        rng.Shuffle(pairs);
        var clean = pairs.Select((p, i) => new Demonstration($"journey/clean/{i:D4}", "clean", p.Ex, p.Clean)).ToList();
        var journey = pairs.Select((p, i) => new Demonstration($"journey/journey/{i:D4}", "journey", p.Ex, p.Journey)).ToList();
        return (clean, journey);
    }

    /// <summary>The committed set: <c>Load("clean")</c> or <c>Load("journey")</c> (datasets/journey/&lt;variant&gt;.jsonl).</summary>
    public static List<Demonstration> Load(string variant)
    {
        if (!Variants.Contains(variant)) throw new ArgumentException($"Unknown journey variant '{variant}'. Expected 'clean' or 'journey'.", nameof(variant));
        return Jsonl.Read<Demonstration>(Path.Combine(Datasets.Root, "journey", variant + ".jsonl"));
    }

    /// <summary>The shortcut: digit-by-digit work (arithmetic, word problems) or the equation worked out (Countdown).</summary>
    static string CleanWork(Example ex, Rng rng)
    {
        if (ex.Target is int target) return $"{string.Join(", ", CountdownExpression.Evaluate(ex.Answer).Steps)}, yes.";
        return ColdStart.ThinkOf(Traces.Write(ex, TraceStyle.Steps, rng));
    }

    /// <summary>A wrong attempt, the check that exposes it, and "wait".</summary>
    static string Detour(Example ex, Rng rng)
    {
        if (ex.Target is int target)
        {
            string e = Traces.WrongAnswer(ex, rng);
            var eval = CountdownExpression.Evaluate(e);
            return $"{e}={target}? let me check: {string.Join(", ", eval.Steps)}, not {target}. wait, that is wrong. try another way.";
        }
        int a = ex.Numbers[0], b = ex.Numbers[1];
        char op = ex.Kind switch { "add" => '+', "sub" => '-', "mul" => '*', _ => WordProblemTask.Operations[ex.Kind] };
        if (ex.Task == "wordproblems")
        {
            // The classic word-problem error: the wrong operation.
            char wrong = op == '+' ? '-' : '+';
            int w = wrong == '+' ? a + b : a - b;
            return ex.Language == "zh"
                ? $"{a}{wrong}{b}={w}？等等，不对，不是{a}{wrong}{b}，是{a}{op}{b}。"
                : $"{a}{wrong}{b}={w}? wait, that is the wrong operation. it should be {a}{op}{b}.";
        }
        int guess = int.Parse(Traces.WrongAnswer(ex, rng));
        string check = op switch
        {
            '+' => $"{guess}-{b}={guess - b}, not {a}",
            '-' => $"{guess}+{b}={guess + b}, not {a}",
            _ => guess % b == 0 ? $"{guess}/{b}={guess / b}, not {a}" : $"{guess}/{b} is not {a}",
        };
        return $"{a}{op}{b}={guess}? let me check: {check}. wait, {guess} is wrong. work it out digit by digit.";
    }
}
