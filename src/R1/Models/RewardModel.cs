using R1.Modules;
using R1.Rewards;
using R1.Tasks;
using static R1.torch;

namespace R1.Models;

/// <summary>Which part of a completion a reward model reads.</summary>
public enum RewardView
{
    /// <summary>The whole response, chain of thought included (R1 judges harmlessness this way).</summary>
    Full,
    /// <summary>Only the final summary, "&lt;answer&gt;…&lt;/answer&gt;" (R1 judges helpfulness this way, so the reward
    /// model never grades — or is gamed through — the reasoning).</summary>
    Answer,
}

// Legend: B batch, T time (positions), C width (NEmbd).

/// <summary>
/// A reward model: the GPT trunk (embeddings, blocks, final LayerNorm — no language-model head) and a scalar head
/// reading the hidden state of each sequence's last non-pad token, which has attended to the whole text. Input is
/// <c>&lt;bos&gt; prompt completion &lt;eos&gt;</c>, right-padded with &lt;pad&gt; (id 0), so the score sits on the
/// &lt;eos&gt;. Trained on preference pairs with the Bradley–Terry loss −log σ(r_chosen − r_rejected)
/// (<see cref="BradleyTerryLoss"/>, <see cref="R1.RL.RewardModelTrainer"/>). Parameter names match the GPT's
/// (<c>transformer.*</c>) plus <c>score.weight</c>/<c>score.bias</c>, so a trained policy's weights initialise the
/// trunk (<see cref="FromGPT"/>), as InstructGPT and DeepSeek initialise reward models from the SFT model.
/// </summary>
public sealed class RewardModel : nn.Module<Tensor, Tensor>
{
    public readonly Transformer transformer;
    public readonly Linear score;
    public GPTConfig Config { get; }

    /// <summary>A fresh model: the trunk initialised as <see cref="GPT"/>'s (same <paramref name="seed"/>, same weights), the head at zero
    /// (every score starts at 0, i.e. every preference at even odds).</summary>
    public RewardModel(GPTConfig config, long seed = 1337) : base(nameof(RewardModel))
    {
        Config = config.Validate();
        transformer = new Transformer(config);
        score = nn.Linear(config.NEmbd, 1);
        RegisterComponents();
        using var gpt = new GPT(config, seed);
        CopyTrunk(gpt);
        using (no_grad()) { nn.init.zeros_(score.weight); nn.init.zeros_(score.bias!); }
    }

    /// <summary>A reward model whose trunk starts as a copy of <paramref name="trunk"/>'s weights (the model is not shared).</summary>
    public static RewardModel FromGPT(GPT trunk)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        var rm = new RewardModel(trunk.Config);
        rm.CopyTrunk(trunk);
        return rm;
    }

    void CopyTrunk(GPT gpt)
    {
        var mine = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in gpt.named_parameters()) p.data<float>().CopyTo(mine[name].data<float>());
    }

    /// <summary>Scores (B) for idx (B, T): Int64 token ids, each row right-padded with id 0; the score reads the last non-pad token.</summary>
    public override Tensor forward(Tensor idx)
    {
        if (idx.dtype != ScalarType.Int64 || idx.dim() != 2) throw new ArgumentException($"RewardModel: idx must be (B, T) Int64 token ids; got {idx.dtype} of shape [{string.Join(", ", idx.shape)}].");
        long B = idx.size(0), T = idx.size(1);
        if (T > Config.BlockSize) throw new ArgumentException($"RewardModel: sequence length {T} exceeds the context (BlockSize {Config.BlockSize}).");
        var last = new long[B];                                               // flat index b·T + t of each row's last non-pad token
        using (var c = idx.contiguous())
        {
            var ids = c.data<long>();
            for (int b = 0; b < B; b++)
            {
                int t = (int)T - 1;
                while (t >= 0 && ids[b * (int)T + t] == 0) t--;
                if (t < 0) throw new ArgumentException($"RewardModel: row {b} is all padding.");
                for (int s = 0; s <= t; s++)
                    if ((ulong)ids[b * (int)T + s] >= (ulong)Config.VocabSize)
                        throw new ArgumentOutOfRangeException(nameof(idx), $"RewardModel: token id {ids[b * (int)T + s]} at row {b}, position {s} is out of range for vocabulary size {Config.VocabSize}.");
                last[b] = b * T + t;
            }
        }
        using var pos = arange(T);                                            // (T)
        var x = transformer.wte.forward(idx) + transformer.wpe.forward(pos);  // (B, T, C)
        x = nn.functional.dropout(x, Config.Dropout, training);
        foreach (var block in transformer.h) x = block.forward(x);
        x = transformer.ln_f.forward(x);                                      // (B, T, C)
        var h = index_select(x.view(B * T, Config.NEmbd), 0, tensor(last, B)); // (B, C)
        return score.forward(h).view(B);                                      // (B)
    }

    /// <summary>
    /// Bradley–Terry loss, mean over pairs of −log σ(r_chosen − r_rejected): the negative log-likelihood that the
    /// chosen completion wins. Written as a two-way cross entropy over the logits [r_chosen, r_rejected] with target
    /// 0, which is the same quantity, computed stably for any margin.
    /// </summary>
    public static Tensor BradleyTerryLoss(Tensor chosen, Tensor rejected)
    {
        if (chosen.dim() != 1 || !chosen.shape.SequenceEqual(rejected.shape))
            throw new ArgumentException($"BradleyTerryLoss: chosen and rejected must be 1-D scores of the same length; got [{string.Join(", ", chosen.shape)}] and [{string.Join(", ", rejected.shape)}].");
        long B = chosen.size(0);
        var logits = stack([chosen, rejected], 1);                            // (B, 2)
        return nn.functional.cross_entropy(logits, tensor(new long[B], B));
    }

    /// <summary>The text the model reads for a completion: all of it, or only "&lt;answer&gt;…&lt;/answer&gt;" (empty tags when there is no closed answer).</summary>
    public static string View(string completion, RewardView view)
    {
        var text = RewardFunctions.Clean(completion);
        return view == RewardView.Full ? text : "<answer>" + (AnswerParser.ExtractAnswer(text) ?? "") + "</answer>";
    }

    /// <summary>
    /// Token ids &lt;bos&gt; prompt view(completion) &lt;eos&gt;. A sequence longer than the context keeps its last
    /// BlockSize tokens (the end, with the answer, is what matters; the reward function must not throw mid-RL).
    /// </summary>
    public int[] Encode(Tokenizer tokenizer, string prompt, string completion, RewardView view = RewardView.Full)
    {
        var ids = tokenizer.Encode(prompt + View(completion, view), addBos: true, addEos: true);
        return ids.Length <= Config.BlockSize ? ids : ids[^Config.BlockSize..];
    }

    /// <summary>Right-pads rows into one (B, T) Int64 tensor.</summary>
    public static Tensor Batch(IReadOnlyList<int[]> rows)
    {
        int B = rows.Count, T = rows.Max(r => r.Length);
        var flat = new long[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < rows[b].Length; t++) flat[b * T + t] = rows[b][t];
        return tensor(flat, B, T);
    }

    /// <summary>Scores of (prompt, completion) pairs, without gradients, in batches of <paramref name="batchSize"/>.</summary>
    public float[] Score(Tokenizer tokenizer, IReadOnlyList<(string Prompt, string Completion)> items, RewardView view = RewardView.Full, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(items);
        if (tokenizer.VocabSize != Config.VocabSize) throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} tokens but the reward model's vocabulary is {Config.VocabSize}.");
        var result = new float[items.Count];
        bool wasTraining = training;
        eval();
        using (no_grad())
            for (int s = 0; s < items.Count; s += batchSize)
            {
                using var scope = NewDisposeScope();
                var rows = items.Skip(s).Take(batchSize).Select(it => Encode(tokenizer, it.Prompt, it.Completion, view)).ToList();
                forward(Batch(rows)).ToArray<float>().CopyTo(result, s);
            }
        train(wasTraining);
        return result;
    }

    /// <summary>The score of one completion of <paramref name="prompt"/>.</summary>
    public double Score(Tokenizer tokenizer, string prompt, string completion, RewardView view = RewardView.Full) =>
        Score(tokenizer, [(prompt, completion)], view)[0];

    /// <summary>The model as a reward function of (example, completion): its raw score of the chosen view.</summary>
    public RewardFunc AsRewardFunc(Tokenizer tokenizer, RewardView view = RewardView.Full)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return (example, completion) => Score(tokenizer, example.Prompt, completion, view);
    }

    /// <summary>A named reward for a <see cref="RewardSet"/>: <c>new RewardSet(Reward.Format(), rm.AsReward(tok))</c>.</summary>
    public Reward AsReward(Tokenizer tokenizer, string name = "reward_model", RewardView view = RewardView.Full, double weight = 1.0) =>
        Reward.From(name, AsRewardFunc(tokenizer, view), weight);

    /// <summary>Saves a checkpoint folder (weights, config, tokenizer); metadata "kind" = "reward_model".</summary>
    public void Save(string dir, Tokenizer tokenizer)
    {
        var weights = named_parameters().Select(p => SafeTensor.F32(p.name, p.parameter.shape, p.parameter.ToArray<float>()));
        Checkpoint.Save(dir, Config, tokenizer, weights, metadata: new Dictionary<string, string> { ["kind"] = "reward_model" });
    }

    /// <summary>Loads a folder written by <see cref="Save"/> (every weight name and shape is checked).</summary>
    public static (RewardModel Model, Tokenizer Tokenizer) Load(string dir)
    {
        var ck = Checkpoint.Load(dir);
        var rm = new RewardModel(ck.Config);
        var named = rm.named_parameters().ToList();
        Checkpoint.CheckShapes(ck.Weights, named.Select(p => (p.name, p.parameter.shape)));
        foreach (var (name, p) in named) ck.Weights[name].Floats.AsSpan().CopyTo(p.data<float>());
        rm.eval();
        return (rm, ck.Tokenizer);
    }
}
