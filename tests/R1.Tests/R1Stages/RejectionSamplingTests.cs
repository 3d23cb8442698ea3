using R1.Inference;
using R1.Models;
using R1.RL;
using R1.Tasks;

namespace R1.Tests.R1Stages;

public class RejectionSamplingTests
{
    static readonly Example Add = new("a/0", "arithmetic", "en", PromptTemplate.Format("347+85=?"), "432", "add", [347, 85]);
    static readonly Example Zh = new("w/0", "wordproblems", "zh", PromptTemplate.Format("小明有90元，用了25元，还剩多少元？"), "65", "money", [90, 25]);

    const string Good = "<think>7+5=12, carry 1, got 2. 4+8+1=13, carry 1, got 32. 3+0+1=4, got 432.</think><answer>432</answer>";
    const string Good2 = "<think>347+85: 7+5=12, carry 1. then 13, then 4. got 432.</think><answer>432</answer>";
    const string ZhGood = "<think>还剩=90-25。10-5=5，借1，得5。9-2-1=6，得65。</think><answer>65</answer>";
    const string ZhMixed = "<think>left = 90-25. 10-5=5, borrow 1, got 5. 9-2-1=6, got 65.</think><answer>65</answer>";

    static readonly Dictionary<string, string[]> Fake = new()
    {
        ["a/0"] =
        [
            Good,                                                    // kept
            Good + "<eos>",                                          // duplicate once the <eos> is cleaned off
            "<think>it is 431.</think><answer>431</answer>",         // incorrect
            "<answer>432</answer>",                                  // malformed: no thought
            "<think>" + string.Concat(Enumerable.Repeat("7+5=12. ", 30)) + "</think><answer>432</answer>",   // overlong
            "<think>7+5=12, carry 1, got 2. 4+8+1=13, carry 1",     // cut mid-thought (short, so not overlong): malformed
            Good2,                                                   // kept: a second distinct correct trace
            "  " + Good2 + "  ",                                     // duplicate
        ],
        ["w/0"] = [ZhGood, ZhMixed, ZhGood, "<think>还剩=90-25=65。</think><answer>75</answer>", ZhMixed, ZhMixed, ZhGood, "<think></think><answer>65</answer>"],
    };

    static IReadOnlyList<string> Sampler(Example e, int k) => Fake[e.Id].Take(k).ToArray();

    static readonly RejectionSamplingConfig Config = new() { SamplesPerPrompt = 8, MaxCompletionTokens = 120 };

    [Fact]
    public void KeepsVerifiedCleanDistinctSamplesAndCountsEveryDrop()
    {
        var r = RejectionSampling.Run([Add, Zh], Sampler, Config);
        Assert.Equal(16, r.Stats.Generated);
        Assert.Equal([Good, Good2, ZhGood, "<think></think><answer>65</answer>"], r.Kept.Select(d => d.Completion));
        Assert.Equal(["a/0#0", "a/0#6", "w/0#0", "w/0#7"], r.Kept.Select(d => d.Id));
        Assert.All(r.Kept, d => Assert.Equal("rejection_sampled", d.Style));
        Assert.Equal([2, 2], r.Stats.KeptPerPrompt);
        Assert.Equal(1, r.Stats.Dropped[DropReason.Overlong]);
        Assert.Equal(2, r.Stats.Dropped[DropReason.Malformed]);
        Assert.Equal(2, r.Stats.Dropped[DropReason.Incorrect]);
        Assert.Equal(3, r.Stats.Dropped[DropReason.MixedLanguage]);
        Assert.Equal(4, r.Stats.Dropped[DropReason.Duplicate]);
        Assert.Equal(0, r.Stats.Dropped[DropReason.OverLimit]);
        Assert.Equal(r.Stats.Generated, r.Stats.Kept + r.Stats.Dropped.Values.Sum());
        Assert.Equal(0.25, r.Stats.KeptRate);
        Assert.Equal(0, r.Stats.PromptsWithNone);
        var table = r.Stats.ToTable();
        Assert.Equal(7, table.Rows);
        Assert.Contains("mixed_language 3", r.Stats.ToString());
    }

    [Fact]
    public void FiltersCanBeSwitchedOffAndCapped()
    {
        var loose = RejectionSampling.Run([Add, Zh], Sampler, Config with { FilterMixedLanguage = false, Deduplicate = false, FilterMalformed = false });
        Assert.Equal(0, loose.Stats.Dropped[DropReason.MixedLanguage] + loose.Stats.Dropped[DropReason.Duplicate] + loose.Stats.Dropped[DropReason.Malformed]);
        Assert.Equal(12, loose.Stats.Kept);   // everything but the overlong, the two wrong ones and the unanswered truncation
        var capped = RejectionSampling.Run([Add, Zh], Sampler, Config with { MaxKeptPerPrompt = 1 });
        Assert.Equal([1, 1], capped.Stats.KeptPerPrompt);
        Assert.Equal(2, capped.Stats.Dropped[DropReason.OverLimit]);
    }

    [Fact]
    public void ACustomVerifierAndBadSamplersAreHandled()
    {
        var onlyLong = RejectionSampling.Run([Add], Sampler, Config, verify: (e, c) => c.Contains("then"));
        Assert.Equal([Good2], onlyLong.Kept.Select(d => d.Completion));
        var e = Assert.Throws<InvalidOperationException>(() => RejectionSampling.Run([Add], (ex, k) => ["x"], Config));
        Assert.Contains("asked for 8", e.Message);
        Assert.Throws<ArgumentException>(() => RejectionSampling.Run([Add], Sampler, Config with { SamplesPerPrompt = 0 }));
    }

    [Fact]
    public void RunsOnARealModel()
    {
        // An untrained GPT writes noise: every sample is dropped, for a reason, and the bookkeeping adds up.
        var tok = Tokenizer.FromTexts([Add.Prompt, Good]);
        var model = new GPT(new GPTConfig(tok.VocabSize, BlockSize: 48, NLayer: 1, NHead: 2, NEmbd: 16), seed: 3);
        var cfg = new RejectionSamplingConfig { SamplesPerPrompt = 4, MaxCompletionTokens = 16 };
        var r = RejectionSampling.Run(model, tok, [Add, Add with { Id = "a/1" }], cfg, new SamplingOptions { Seed = 5 });
        Assert.Equal(8, r.Stats.Generated);
        Assert.Equal(r.Stats.Generated, r.Stats.Kept + r.Stats.Dropped.Values.Sum());
        Assert.True(r.Stats.Dropped[DropReason.Overlong] > 0, r.Stats.ToString());   // noise rarely stops within 16 tokens
        // The per-example sampler adapter gives k completions, reproducibly
        var sampler = Completions.Sampler(model, tok, new SamplingOptions { MaxNewTokens = 8, Seed = 1 });
        Assert.Equal(sampler(Add, 3), sampler(Add, 3));
        Assert.Equal(3, sampler(Add, 3).Count);
    }
}
