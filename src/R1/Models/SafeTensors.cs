using R1.IO;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace R1.Models;

/// <summary>
/// One tensor of a safetensors file: name, dtype as stored, shape and values. Floating dtypes
/// (F32, F16, BF16) load as <see cref="Floats"/>, integer dtypes (I64, I32) as <see cref="Longs"/>.
/// </summary>
public sealed class SafeTensor
{
    public string Name { get; }
    public string DType { get; }
    public long[] Shape { get; }
    public float[]? Floats { get; }
    public long[]? Longs { get; }

    SafeTensor(string name, string dtype, long[] shape, float[]? floats, long[]? longs)
    {
        Name = name; DType = dtype; Shape = shape; Floats = floats; Longs = longs;
    }

    public long NumElements => Floats?.LongLength ?? Longs!.LongLength;

    public static SafeTensor F32(string name, long[] shape, float[] data) => Create(name, "F32", shape, data.Length, data, null);
    public static SafeTensor I64(string name, long[] shape, long[] data) => Create(name, "I64", shape, data.Length, null, data);

    /// <summary>A copy of a Float32 or Int64 tensor's values.</summary>
    public static SafeTensor From(string name, torch.Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.dtype switch
        {
            torch.ScalarType.Float32 => F32(name, t.shape, t.ToArray<float>()),
            torch.ScalarType.Int64 => I64(name, t.shape, t.ToArray<long>()),
            _ => throw new ArgumentException($"Tensor '{name}' has dtype {t.dtype}; safetensors files here hold Float32 or Int64.", nameof(t)),
        };
    }

    /// <summary>A new tensor holding these values (Float32 for floating dtypes, Int64 for integer ones).</summary>
    public torch.Tensor ToTensor() => Floats is not null ? torch.tensor(Floats, Shape) : torch.tensor(Longs!, Shape);

    internal static SafeTensor Loaded(string name, string dtype, long[] shape, float[]? floats, long[]? longs) => new(name, dtype, shape, floats, longs);

    static SafeTensor Create(string name, string dtype, long[] shape, int length, float[]? floats, long[]? longs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == SafeTensors.MetadataKey) throw new ArgumentException($"'{SafeTensors.MetadataKey}' is reserved and cannot name a tensor.", nameof(name));
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            n *= d;
        }
        if (n != length) throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] holds {n} elements but {length} values were given.", nameof(shape));
        return new(name, dtype, (long[])shape.Clone(), floats, longs);
    }

    /// <summary>The values as floats; an error naming the tensor if it holds integers.</summary>
    public float[] AsFloats() => Floats ?? throw new InvalidOperationException($"Tensor '{Name}' has dtype {DType}, expected a floating dtype.");

    /// <summary>The values as 64-bit integers; an error naming the tensor if it holds floats.</summary>
    public long[] AsLongs() => Longs ?? throw new InvalidOperationException($"Tensor '{Name}' has dtype {DType}, expected an integer dtype.");

    public override string ToString() => $"{Name}: {DType}[{string.Join(", ", Shape)}]";
}

/// <summary>The tensors and string metadata of one safetensors file.</summary>
public sealed class SafeTensorFile
{
    public string Path { get; }
    public IReadOnlyDictionary<string, SafeTensor> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    internal SafeTensorFile(string path, IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path; Tensors = tensors; Metadata = metadata;
    }

    /// <summary>The tensor named <paramref name="name"/>; a clear error naming the file and the tensor if absent.</summary>
    public SafeTensor this[string name] => Tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"{Path}: no tensor named '{name}' (the file holds {Tensors.Count}: {SafeTensors.Preview(Tensors.Keys)}).");

    public bool Contains(string name) => Tensors.ContainsKey(name);

    /// <summary>Every tensor as a new torch tensor, by name (e.g. for <c>load_state_dict</c>).</summary>
    public Dictionary<string, torch.Tensor> ToTensors() => Tensors.ToDictionary(p => p.Key, p => p.Value.ToTensor());
}

/// <summary>
/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian u64 header
/// length N, N bytes of UTF-8 JSON <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}</c>
/// padded with spaces to 8-byte alignment, then the raw little-endian tensor bytes, offsets relative to the
/// end of the header. Written with names sorted and atomically; read with every offset and size checked.
/// </summary>
public static class SafeTensors
{
    public const string MetadataKey = "__metadata__";

    /// <summary>Element size in bytes of each dtype this reader understands.</summary>
    static readonly Dictionary<string, int> DTypeSizes = new() { ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4 };

    public static void Save(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var bytes = ToBytes(tensors, metadata);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>Saves named tensors (e.g. <c>module.named_parameters()</c>).</summary>
    public static void Save(string path, IEnumerable<(string name, torch.Tensor tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        => Save(path, tensors.Select(t => SafeTensor.From(t.name, t.tensor)), metadata);

    public static byte[] ToBytes(IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        for (int i = 1; i < sorted.Length; i++)
            if (sorted[i].Name == sorted[i - 1].Name) throw new ArgumentException($"Two tensors are named '{sorted[i].Name}'.", nameof(tensors));

        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in sorted)
            {
                long size = t.NumElements * DTypeSizes[t.DType];
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType);
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        int headerLen = (int)((json.Length + 7) / 8 * 8);
        long dataLen = sorted.Sum(t => t.NumElements * DTypeSizes[t.DType]);
        var bytes = new byte[8 + headerLen + dataLen];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerLen);
        json.GetBuffer().AsSpan(0, (int)json.Length).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + (int)json.Length, headerLen - (int)json.Length).Fill((byte)' ');
        var data = bytes.AsSpan(8 + headerLen);
        foreach (var t in sorted)
        {
            if (t.Floats is { } f) { WriteLittleEndian(f, data); data = data[(f.Length * 4)..]; }
            else { var l = t.Longs!; WriteLittleEndian(l, data); data = data[(l.Length * 8)..]; }
        }
        return bytes;
    }

    public static SafeTensorFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file not found: {path}", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses a whole safetensors file held in memory; <paramref name="source"/> names it in errors.</summary>
    public static SafeTensorFile Parse(ReadOnlySpan<byte> file, string source = "<bytes>")
    {
        FormatException Bad(string what) => new($"{source}: corrupt safetensors file: {what}");

        if (file.Length < 8) throw Bad($"truncated: {file.Length} bytes, but the file must start with an 8-byte header length.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n > (ulong)(file.Length - 8))
            throw Bad($"header length {n} exceeds the {file.Length - 8} bytes after the 8-byte prefix (file truncated or not a safetensors file).");
        var header = file.Slice(8, (int)n);
        var data = file[(8 + (int)n)..];

        JsonDocument doc;
        try { doc = JsonDocument.Parse(header.ToArray()); }
        catch (JsonException e) { throw Bad($"header is not valid JSON: {e.Message}"); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad($"header JSON is a {doc.RootElement.ValueKind}, expected an object.");

        var metadata = new Dictionary<string, string>();
        var entries = new List<(string Name, string DType, long[] Shape, long Begin, long End)>();
        var seen = new HashSet<string>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (!seen.Add(p.Name)) throw Bad($"the header names '{p.Name}' twice.");
            if (p.Name == MetadataKey)
            {
                if (p.Value.ValueKind != JsonValueKind.Object) throw Bad($"'{MetadataKey}' must be an object of strings.");
                foreach (var m in p.Value.EnumerateObject())
                {
                    if (m.Value.ValueKind != JsonValueKind.String) throw Bad($"metadata '{m.Name}' is a {m.Value.ValueKind}, expected a string.");
                    metadata[m.Name] = m.Value.GetString()!;
                }
                continue;
            }
            var e = p.Value;
            if (e.ValueKind != JsonValueKind.Object) throw Bad($"tensor '{p.Name}': entry is a {e.ValueKind}, expected an object.");
            if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw Bad($"tensor '{p.Name}': missing string 'dtype'.");
            var dtype = dt.GetString()!;
            if (!DTypeSizes.TryGetValue(dtype, out int elemSize))
                throw Bad($"tensor '{p.Name}': unsupported dtype '{dtype}' (supported: {string.Join(", ", DTypeSizes.Keys)}).");
            var shape = ReadInts(e, "shape", p.Name, -1, Bad);
            var offs = ReadInts(e, "data_offsets", p.Name, 2, Bad);
            long begin = offs[0], end = offs[1];
            if (begin > end || end > data.Length)
                throw Bad($"tensor '{p.Name}': data_offsets [{begin}, {end}] are out of range of the {data.Length}-byte data section.");
            long count;
            try { count = shape.Aggregate(1L, (a, d) => checked(a * d)); }
            catch (OverflowException) { throw Bad($"tensor '{p.Name}': shape [{string.Join(", ", shape)}] is too large."); }
            if (count > Array.MaxLength || checked(count * elemSize) != end - begin)
                throw Bad($"tensor '{p.Name}': shape [{string.Join(", ", shape)}] of {dtype} needs {count * elemSize} bytes but data_offsets [{begin}, {end}] span {end - begin}.");
            entries.Add((p.Name, dtype, shape, begin, end));
        }

        // The tensors must tile the data section exactly: no overlap, no gap, nothing left over.
        long expected = 0;
        string? previous = null;
        foreach (var t in entries.Where(t => t.End > t.Begin).OrderBy(t => t.Begin))
        {
            if (t.Begin < expected) throw Bad($"tensor '{t.Name}' (bytes {t.Begin}..{t.End}) overlaps tensor '{previous}' (ends at {expected}).");
            if (t.Begin > expected) throw Bad($"bytes {expected}..{t.Begin} of the data section belong to no tensor (before '{t.Name}').");
            expected = t.End;
            previous = t.Name;
        }
        if (expected != data.Length) throw Bad($"the data section has {data.Length} bytes but the tensors cover only {expected}.");

        var tensors = new Dictionary<string, SafeTensor>();
        foreach (var (name, dtype, shape, begin, end) in entries)
        {
            var bytes = data[(int)begin..(int)end];
            tensors[name] = dtype switch
            {
                "F32" => SafeTensor.Loaded(name, dtype, shape, ReadF32(bytes), null),
                "F16" => SafeTensor.Loaded(name, dtype, shape, ReadF16(bytes), null),
                "BF16" => SafeTensor.Loaded(name, dtype, shape, ReadBF16(bytes), null),
                "I64" => SafeTensor.Loaded(name, dtype, shape, null, ReadI64(bytes)),
                _ => SafeTensor.Loaded(name, dtype, shape, null, ReadI32(bytes)),
            };
        }
        return new SafeTensorFile(source, tensors, metadata);
    }

    static long[] ReadInts(JsonElement e, string key, string tensor, int requiredCount, Func<string, FormatException> bad)
    {
        if (!e.TryGetProperty(key, out var a) || a.ValueKind != JsonValueKind.Array) throw bad($"tensor '{tensor}': missing array '{key}'.");
        var r = new long[a.GetArrayLength()];
        if (requiredCount >= 0 && r.Length != requiredCount) throw bad($"tensor '{tensor}': '{key}' has {r.Length} entries, expected {requiredCount}.");
        int i = 0;
        foreach (var v in a.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x) || x < 0)
                throw bad($"tensor '{tensor}': '{key}' entry {v} is not a non-negative integer.");
            r[i++] = x;
        }
        return r;
    }

    internal static string Preview(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count <= 8 ? string.Join(", ", list) : string.Join(", ", list.Take(8)) + ", ...";
    }

    static void WriteLittleEndian<T>(T[] values, Span<byte> dst) where T : unmanaged
    {
        var src = MemoryMarshal.AsBytes(values.AsSpan());
        src.CopyTo(dst);
        if (!BitConverter.IsLittleEndian)
        {
            int size = src.Length / Math.Max(1, values.Length);
            for (int i = 0; i < src.Length; i += size) dst.Slice(i, size).Reverse();
        }
    }

    static float[] ReadF32(ReadOnlySpan<byte> b)
    {
        var r = new float[b.Length / 4];
        if (BitConverter.IsLittleEndian) { MemoryMarshal.Cast<byte, float>(b).CopyTo(r); return r; }
        for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(4 * i)..]);
        return r;
    }

    static float[] ReadF16(ReadOnlySpan<byte> b)
    {
        var r = new float[b.Length / 2];
        for (int i = 0; i < r.Length; i++) r[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * i)..]);
        return r;
    }

    // bfloat16 is the top half of a float32.
    static float[] ReadBF16(ReadOnlySpan<byte> b)
    {
        var r = new float[b.Length / 2];
        for (int i = 0; i < r.Length; i++) r[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]) << 16);
        return r;
    }

    static long[] ReadI64(ReadOnlySpan<byte> b)
    {
        var r = new long[b.Length / 8];
        if (BitConverter.IsLittleEndian) { MemoryMarshal.Cast<byte, long>(b).CopyTo(r); return r; }
        for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadInt64LittleEndian(b[(8 * i)..]);
        return r;
    }

    static long[] ReadI32(ReadOnlySpan<byte> b)
    {
        var r = new long[b.Length / 4];
        for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..]);
        return r;
    }
}
