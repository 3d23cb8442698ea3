using R1;
using System.Buffers.Binary;
using System.Text;
using R1.Models;

namespace R1.Tests.Models;

public class SafeTensorsTests
{
    static byte[] RawFile(string headerJson, int dataBytes, int? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(headerJson);
        var b = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)(declaredLength ?? h.Length));
        h.CopyTo(b, 8);
        return b;
    }

    static string ParseError(byte[] file) => Assert.Throws<FormatException>(() => SafeTensors.Parse(file, "x.safetensors")).Message;

    [Fact]
    public void RoundTripKeepsNamesShapesValuesAndMetadata()
    {
        var a = SafeTensor.F32("b.weight", [2, 3], [1, -2, 3.5f, float.MaxValue, 0, -0.25f]);
        var z = SafeTensor.I64("a.ids", [3], [long.MinValue, 7, long.MaxValue]);
        var e = SafeTensor.F32("empty", [0, 4], []);
        var path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, [a, z, e], new Dictionary<string, string> { ["step"] = "12" });
            var f = SafeTensors.Load(path);
            Assert.Equal(["a.ids", "b.weight", "empty"], f.Tensors.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(a.Floats, f["b.weight"].Floats);
            Assert.Equal([2L, 3L], f["b.weight"].Shape);
            Assert.Equal(z.Longs, f["a.ids"].Longs);
            Assert.Equal([0L, 4L], f["empty"].Shape);
            Assert.Equal("12", f.Metadata["step"]);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}*")); // no temp left
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LayoutIsTheSafetensorsFormat()
    {
        var bytes = SafeTensors.ToBytes([SafeTensor.F32("w", [2], [1f, 2f]), SafeTensor.I64("i", [1], [5])]);
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);                                            // header padded to 8 bytes ...
        var header = Encoding.UTF8.GetString(bytes, 8, n);
        Assert.Matches("^\\{.*\\} *$", header);                               // JSON then space padding
        Assert.Equal("""{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", header.TrimEnd(' '));
        Assert.Equal(5L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8 + n)));  // ... sorted names, raw LE data
        Assert.Equal(2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + n + 12)));
        Assert.Equal(8 + n + 16, bytes.Length);
    }

    [Fact]
    public void ReadsBf16AndF16()
    {
        // 1.5 in bf16 is 0x3FC0; -2 in f16 is 0xC000.
        var f = RawFile("""{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"F16","shape":[1],"data_offsets":[2,4]}}""", 4);
        int d = f.Length - 4;
        f[d] = 0xC0; f[d + 1] = 0x3F; f[d + 2] = 0x00; f[d + 3] = 0xC0;
        var t = SafeTensors.Parse(f);
        Assert.Equal(1.5f, t["a"].Floats![0]);
        Assert.Equal(-2f, t["b"].Floats![0]);
    }

    [Fact]
    public void TruncatedFileIsAnError() => Assert.Contains("truncated: 5 bytes", ParseError(new byte[5]));

    [Fact]
    public void HeaderLongerThanFileIsAnError()
    {
        var ok = SafeTensors.ToBytes([SafeTensor.F32("w", [4], [1, 2, 3, 4])]);
        Assert.Contains("header length", ParseError(ok[..20]));
        Assert.Contains("x.safetensors", ParseError(ok[..20]));
    }

    [Fact]
    public void FileCutInsideTheDataIsAnError()
    {
        var ok = SafeTensors.ToBytes([SafeTensor.F32("w", [4], [1, 2, 3, 4])]);
        Assert.Contains("tensor 'w': data_offsets [0, 16] are out of range of the 12-byte data section", ParseError(ok[..^4]));
    }

    [Fact]
    public void BadJsonIsAnError() => Assert.Contains("not valid JSON", ParseError(RawFile("{\"w\": [", 0)));

    [Fact]
    public void HeaderMustBeAnObject() => Assert.Contains("expected an object", ParseError(RawFile("[1, 2]  ", 0)));

    [Fact]
    public void UnknownDtypeIsAnError() =>
        Assert.Contains("tensor 'w': unsupported dtype 'Q4'", ParseError(RawFile("""{"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}}""", 1)));

    [Fact]
    public void SizeMismatchIsAnError() =>
        Assert.Contains("tensor 'w': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8",
            ParseError(RawFile("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8)));

    [Fact]
    public void OverlappingTensorsAreAnError() =>
        Assert.Contains("tensor 'b' (bytes 4..12) overlaps tensor 'a'",
            ParseError(RawFile("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12)));

    [Fact]
    public void GapsAndTrailingBytesAreErrors()
    {
        Assert.Contains("bytes 0..4 of the data section belong to no tensor (before 'a')",
            ParseError(RawFile("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)));
        Assert.Contains("the data section has 12 bytes but the tensors cover only 8",
            ParseError(RawFile("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12)));
    }

    [Fact]
    public void NegativeOrMalformedShapesAndOffsetsAreErrors()
    {
        Assert.Contains("'shape' entry -1 is not a non-negative integer",
            ParseError(RawFile("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}""", 0)));
        Assert.Contains("'data_offsets' has 3 entries, expected 2",
            ParseError(RawFile("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,4]}}""", 4)));
        Assert.Contains("missing string 'dtype'", ParseError(RawFile("""{"a":{"shape":[1],"data_offsets":[0,4]}}""", 4)));
        Assert.Contains("names 'a' twice",
            ParseError(RawFile("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4)));
    }

    [Fact]
    public void MissingTensorLookupNamesIt()
    {
        var f = SafeTensors.Parse(SafeTensors.ToBytes([SafeTensor.F32("w", [1], [1])]), "m.safetensors");
        var e = Assert.Throws<KeyNotFoundException>(() => f["v"]);
        Assert.Contains("m.safetensors: no tensor named 'v'", e.Message);
    }

    [Fact]
    public void MissingFileIsAnError() =>
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(Path.Combine(Path.GetTempPath(), "no-such-file.safetensors")));

    [Fact]
    public void WriterRejectsShapeDataMismatch() =>
        Assert.Contains("holds 6 elements but 5 values", Assert.Throws<ArgumentException>(() => SafeTensor.F32("w", [2, 3], new float[5])).Message);

    [Fact]
    public void FileWrittenByThePythonScriptLoads()
    {
        var g = GoldenFile.Tiny;
        Assert.Equal("tanh", g.Metadata["gelu"]);
        Assert.Equal([96L, 32L], g["transformer.h.0.attn.c_attn.weight"].Shape); // Linear(C, 3C).weight is (3C, C)
        Assert.Equal([3L, 16L], g["idx"].Shape);
        Assert.Equal("I64", g["idx"].DType);
        Assert.Equal([3L, 16L, 23L], g["logits"].Shape);
        Assert.False(g.Contains("lm_head.weight"));
        Assert.All(g["idx"].Longs!, v => Assert.InRange(v, 0, 22));
    }
}

public class SafeTensorsTorchTests
{
    [Fact]
    public void TensorsRoundTripThroughAFileIntoLoadStateDict()
    {
        using var a = torch.nn.Linear(3, 2);
        using var b = torch.nn.Linear(3, 2);
        var path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, a.named_parameters());
            b.load_state_dict(SafeTensors.Load(path).ToTensors());
            Assert.Equal(a.weight.ToArray<float>(), b.weight.ToArray<float>());
            Assert.Equal(a.bias!.ToArray<float>(), b.bias!.ToArray<float>());
            var ids = SafeTensor.From("ids", torch.tensor(new long[] { 4, 5, 6 }, 3));
            Assert.Equal([4L, 5, 6], ids.ToTensor().ToArray<long>());
        }
        finally { File.Delete(path); }
    }
}
