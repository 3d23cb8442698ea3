namespace R1.Tasks;

/// <summary>One pretraining document: prompt + completion, without &lt;bos&gt;/&lt;eos&gt; (the trainer adds them).</summary>
public sealed record CorpusDocument(string Id, string Style, string Task, string Language, string Text);

/// <summary>
/// The base-model pretraining corpus: task prompts continued in mixed-quality ways, so the pretrained "base"
/// model already holds — at low frequency — the behaviours RL is meant to amplify (step-by-step work,
/// self-correction, checking, language switching) next to cheap, often wrong direct answers.
/// The mixture below is the whole design; the datasheet (datasets/corpus/README.md) restates it.
/// </summary>
public static class Corpus
{
    // What is written after the prompt (shares of documents; they sum to 1).
    public const double DirectShare = 0.45;        // a guess: "<answer>g</answer>" (70%) or "<think>it is g.</think><answer>g</answer>" (30%)
    public const double StepsShare = 0.30;         // correct step-by-step work in the problem's language
    public const double ReflectionShare = 0.10;    // steps with a caught slip ("wait, …") (half) or a final check ("let me check") (half)
    public const double MixedLanguageShare = 0.08; // correct steps in the other language, throughout or switching part-way
    public const double PlainShare = 0.07;         // no tags at all: a bare guess (half) or steps then "so g" (half)

    /// <summary>Probability that a guess (direct or plain) is right; wrong guesses are plausible slips.</summary>
    public const double GuessCorrectRate = 0.40;
    /// <summary>Share of direct guesses written with a short thought (and so in the right format).</summary>
    public const double ShortThoughtShare = 0.30;

    // Which task a document comes from.
    public const double ArithmeticShare = 0.40, WordProblemShare = 0.35, CountdownShare = 0.25;

    /// <summary>
    /// <paramref name="count"/> documents; prompts in <paramref name="excluded"/> (the task test splits) are never
    /// used, so evaluation prompts stay unseen by the base model.
    /// </summary>
    public static List<CorpusDocument> Build(Rng rng, int count, string idPrefix, IReadOnlySet<string> excluded)
    {
        var docs = new List<CorpusDocument>(count);
        for (int i = 0; i < count; i++)
        {
            double t = rng.NextDouble();
            ITask task = t < ArithmeticShare ? TaskRegistry.Arithmetic
                : t < ArithmeticShare + WordProblemShare ? TaskRegistry.WordProblems
                : TaskRegistry.Countdown;
            string id = $"{idPrefix}{i:D5}";
            Example ex;
            do ex = task.Generate(rng, id); while (excluded.Contains(ex.Prompt));

            var (style, correct) = PickStyle(rng);
            var completion = Traces.Write(ex, style, rng, correct);
            docs.Add(new CorpusDocument(id, StyleName(style, correct), ex.Task, ex.Language, ex.Prompt + completion));
        }
        return docs;
    }

    static (TraceStyle, bool) PickStyle(Rng rng)
    {
        double u = rng.NextDouble();
        if (u < DirectShare)
            return (rng.Chance(ShortThoughtShare) ? TraceStyle.ShortThought : TraceStyle.Answer, rng.Chance(GuessCorrectRate));
        u -= DirectShare;
        if (u < StepsShare) return (TraceStyle.Steps, true);
        u -= StepsShare;
        if (u < ReflectionShare) return (rng.Chance(0.5) ? TraceStyle.SelfCorrection : TraceStyle.Verification, true);
        u -= ReflectionShare;
        if (u < MixedLanguageShare) return (TraceStyle.MixedLanguage, true);
        return rng.Chance(0.5) ? (TraceStyle.PlainAnswer, rng.Chance(GuessCorrectRate)) : (TraceStyle.PlainSteps, true);
    }

    /// <summary>Style names in the JSONL: "answer", "short_thought", "steps", … with "_wrong" on wrong guesses.</summary>
    static string StyleName(TraceStyle style, bool correct)
    {
        var name = style switch
        {
            TraceStyle.Answer => "answer",
            TraceStyle.ShortThought => "short_thought",
            TraceStyle.Steps => "steps",
            TraceStyle.SelfCorrection => "self_correction",
            TraceStyle.Verification => "verification",
            TraceStyle.MixedLanguage => "mixed_language",
            TraceStyle.PlainAnswer => "plain_answer",
            _ => "plain_steps",
        };
        bool isGuess = style is TraceStyle.Answer or TraceStyle.ShortThought or TraceStyle.PlainAnswer;
        return isGuess && !correct ? name + "_wrong" : name;
    }
}
