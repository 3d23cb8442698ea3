using R1.Models;
using static R1.torch;

namespace R1.Tests.Models;

public sealed class CheckpointTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), $"r1-ckpt-{Guid.NewGuid():N}");
    static readonly Tokenizer Tok = Tokenizer.FromTexts(["abc"], includeAsciiPrintable: false);   // 10 tokens
    static readonly GPTConfig Config = new(VocabSize: 10, BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 8);

    public void Dispose() { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }

    static List<SafeTensor> Weights(GPT m) => m.named_parameters().Select(p => SafeTensor.F32(p.name, p.parameter.shape, p.parameter.ToArray<float>())).ToList();

    [Fact]
    public void RoundTripRestoresWeightsTokenizerConfigAndOptimizer()
    {
        using var m = new GPT(Config, seed: 3);
        using var opt = optim.AdamW(m.parameters(), lr: 0.01);
        using (NewDisposeScope())
        {
            m.Loss(tensor(new long[] { 1, 7, 8, 9 }, 1, 4), tensor(new long[] { 7, 8, 9, 2 }, 1, 4)).backward();
            opt.step();
        }
        Checkpoint.Save(dir, m, Tok, opt, new Dictionary<string, string> { ["step"] = "1" });
        foreach (var f in new[] { "model.safetensors", "config.json", "tokenizer.json", "optimizer.safetensors" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);

        var (m2, tok2) = Checkpoint.LoadModel(dir);
        using var _ = m2;
        Assert.Equal(Config, m2.Config);
        Assert.Equal(Tok.Tokens, tok2.Tokens);
        foreach (var ((n1, p1), (n2, p2)) in m.named_parameters().Zip(m2.named_parameters()))
        {
            Assert.Equal(n1, n2);
            Assert.Equal(p1.ToArray<float>(), p2.ToArray<float>());
        }
        var ck = Checkpoint.Load(dir);
        Assert.Equal("1", ck.Weights.Metadata["step"]);
        using var opt2 = optim.AdamW(m2.parameters(), lr: 0.01);
        ck.LoadOptimizer(m2, opt2);
        var w = m.transformer.wte.weight;
        var w2 = m2.transformer.wte.weight;
        Assert.Equal(opt.State(w)!.exp_avg_sq.ToArray<float>(), opt2.State(w2)!.exp_avg_sq.ToArray<float>());
        Assert.Equal(1L, opt2.State(w2)!.step);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        using var m = new GPT(Config);
        Checkpoint.Save(dir, Config, Tok, Weights(m).Where(t => t.Name != "transformer.ln_f.bias"));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadModel(dir));
        Assert.Contains("missing tensor 'transformer.ln_f.bias' (expected shape [8])", e.Message);
    }

    [Fact]
    public void ShapeMismatchNamesTheTensorAndBothShapes()
    {
        using var m = new GPT(Config with { BlockSize = 6 });
        Checkpoint.Save(dir, Config, Tok, Weights(m));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadModel(dir));
        Assert.Contains("tensor 'transformer.wpe.weight' has shape [6, 8], expected [8, 8]", e.Message);
    }

    [Fact]
    public void UnexpectedTensorIsNamed()
    {
        using var m = new GPT(Config);
        Checkpoint.Save(dir, Config, Tok, Weights(m).Append(SafeTensor.F32("lm_head.weight", [10, 8], new float[80])));
        Assert.Contains("unexpected tensor(s) lm_head.weight", Assert.Throws<InvalidDataException>(() => Checkpoint.LoadModel(dir)).Message);
    }

    [Fact]
    public void MissingFilesAndCorruptWeightsAreNamed()
    {
        using var m = new GPT(Config);
        Checkpoint.Save(dir, m, Tok);
        File.Delete(Path.Combine(dir, "tokenizer.json"));
        Assert.Contains("missing tokenizer.json", Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(dir)).Message);

        Checkpoint.Save(dir, m, Tok);
        var model = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes[..^10]);
        var e = Assert.Throws<FormatException>(() => Checkpoint.Load(dir));
        Assert.Contains("model.safetensors: corrupt safetensors file", e.Message);

        Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Load(dir + "-nope"));
    }

    [Fact]
    public void VocabularyMismatchBetweenConfigAndTokenizerIsAnError()
    {
        using var m = new GPT(Config);
        Checkpoint.Save(dir, m, Tok);
        File.WriteAllText(Path.Combine(dir, "config.json"), (Config with { VocabSize = 11 }).ToJson());
        Assert.Contains("VocabSize 11 but tokenizer.json has 10 tokens", Assert.Throws<FormatException>(() => Checkpoint.Load(dir)).Message);
    }
}
