using System.Text.Json;

namespace R1.Models;

/// <summary>
/// Shape of a GPT (nanoGPT's GPTConfig). The defaults are the "small GPT" of the benchmarks: about 0.8M
/// parameters plus the embeddings, trainable on a 2-core CPU in minutes.
/// </summary>
/// <param name="VocabSize">Number of token ids (the tokenizer's VocabSize).</param>
/// <param name="BlockSize">Longest context in tokens (rows of the position embedding); prompt + completion must fit.</param>
/// <param name="NLayer">Transformer blocks.</param>
/// <param name="NHead">Attention heads; NEmbd / NHead = 32-wide heads with the defaults.</param>
/// <param name="NEmbd">Model width C.</param>
/// <param name="Dropout">Dropout probability in training; 0 because tiny models on generated data underfit rather than overfit.</param>
public sealed record GPTConfig(int VocabSize, int BlockSize = 256, int NLayer = 4, int NHead = 4, int NEmbd = 128, double Dropout = 0.0)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public int HeadSize => NEmbd / NHead;

    /// <summary>Throws with a message naming the bad field unless every field is usable.</summary>
    public GPTConfig Validate()
    {
        if (VocabSize < 1) throw new ArgumentException($"GPTConfig.VocabSize must be positive, got {VocabSize}.");
        if (BlockSize < 1) throw new ArgumentException($"GPTConfig.BlockSize must be positive, got {BlockSize}.");
        if (NLayer < 1) throw new ArgumentException($"GPTConfig.NLayer must be positive, got {NLayer}.");
        if (NHead < 1 || NEmbd < 1 || NEmbd % NHead != 0)
            throw new ArgumentException($"GPTConfig.NEmbd ({NEmbd}) must be a positive multiple of NHead ({NHead}).");
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout)) throw new ArgumentException($"GPTConfig.Dropout must be in [0, 1), got {Dropout}.");
        return this;
    }

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Indented);

    public static GPTConfig FromJson(string json)
    {
        GPTConfig? c;
        try { c = JsonSerializer.Deserialize<GPTConfig>(json); }
        catch (JsonException e) { throw new FormatException($"GPT config JSON is malformed: {e.Message}", e); }
        return (c ?? throw new FormatException("GPT config JSON is null.")).Validate();
    }
}
