namespace R1.Tasks;

/// <summary>
/// The cold-start set (DeepSeek-R1's first stage): a few hundred long, readable chains of thought, SFT'd into the
/// base model before reasoning RL. Each completion is clean: one &lt;think&gt; block written entirely in the prompt's
/// language (no mixing), ending in a one-sentence summary, then the &lt;answer&gt;:
/// <code>Q: 347+85=?
/// A: &lt;think&gt;7+5=12, carry 1, got 2. 4+8+1=13, carry 1, got 32. 3+0+1=4, got 432. let me check: 432-85=347, ok. So 347+85 is 432.&lt;/think&gt;&lt;answer&gt;432&lt;/answer&gt;</code>
/// (R1's "readable pattern" puts a summary after the reasoning; here it closes the thought, because the answer
/// block must hold the bare answer the verifiers read.) The work comes from <see cref="Traces"/>.
/// </summary>
public static class ColdStart
{
    // Shares of trace styles (they sum to 1): mostly worked-and-checked, some plain work, some caught slips.
    public const double VerificationShare = 0.5, StepsShare = 0.3, SelfCorrectionShare = 0.2;

    /// <summary>
    /// <paramref name="perTask"/> examples from each task's train split (<paramref name="trainByTask"/>, keyed by
    /// task name, in <see cref="TaskRegistry.All"/> order), each written in one style; the list is shuffled.
    /// </summary>
    public static List<Demonstration> Build(Rng rng, IReadOnlyDictionary<string, List<Example>> trainByTask, int perTask)
    {
        var list = new List<Demonstration>();
        foreach (var task in TaskRegistry.All)
            foreach (var ex in Pick(rng, trainByTask[task.Name], perTask))
            {
                double u = rng.NextDouble();
                var style = u < VerificationShare ? TraceStyle.Verification
                    : u < VerificationShare + StepsShare ? TraceStyle.Steps
                    : TraceStyle.SelfCorrection;
                var trace = Traces.Write(ex, style, rng);
                var completion = Tag("think", ThinkOf(trace) + Gap(ex) + Summary(ex)) + Tag("answer", ex.Answer);
                list.Add(new Demonstration("", StyleName(style), ex, completion));
            }
        rng.Shuffle(list);
        return list.Select((d, i) => d with { Id = $"coldstart/train/{i:D4}" }).ToList();
    }

    /// <summary>The closing sentence: "So 347+85 is 432.", "So the answer is 2550.", "所以是2550。", "So 25+3*7=46."</summary>
    public static string Summary(Example ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ex.Target is int target) return $"So {ex.Answer}={target}.";
        if (ex.Task == "arithmetic") return $"So {ex.Question.Replace("=?", "")} is {ex.Answer}.";
        return ex.Language == "zh" ? $"所以是{ex.Answer}。" : $"So the answer is {ex.Answer}.";
    }

    /// <summary>The committed set (datasets/coldstart/train.jsonl).</summary>
    public static List<Demonstration> Load() => Jsonl.Read<Demonstration>(Path.Combine(Datasets.Root, "coldstart", "train.jsonl"));

    // ---- helpers shared with Journey ----

    /// <summary><paramref name="count"/> distinct examples of <paramref name="pool"/> in random order.</summary>
    internal static List<Example> Pick(Rng rng, IReadOnlyList<Example> pool, int count)
    {
        if (count > pool.Count) throw new ArgumentException($"Asked for {count} examples from a pool of {pool.Count}.", nameof(count));
        var idx = Enumerable.Range(0, pool.Count).ToList();
        rng.Shuffle(idx);
        return idx.Take(count).Select(i => pool[i]).ToList();
    }

    /// <summary>The text of the (single) think block of a <see cref="Traces"/> completion.</summary>
    internal static string ThinkOf(string trace)
    {
        int open = trace.IndexOf("<think>", StringComparison.Ordinal), close = trace.IndexOf("</think>", StringComparison.Ordinal);
        if (open < 0 || close < open) throw new InvalidOperationException($"Trace has no think block: {trace}");
        return trace[(open + "<think>".Length)..close];
    }

    /// <summary>Chinese sentences follow each other without a space; English ones with one.</summary>
    internal static string Gap(Example ex) => ex.Language == "zh" ? "" : " ";

    internal static string Tag(string name, string body) => $"<{name}>{body}</{name}>";

    static string StyleName(TraceStyle style) => style switch
    {
        TraceStyle.Verification => "verification",
        TraceStyle.Steps => "steps",
        _ => "self_correction",
    };
}
