namespace R1;

public static partial class torch
{
    /// <summary>Element types the engine stores: float32 values, int64 indices, bool masks.</summary>
    public enum ScalarType { Float32, Int64, Bool }

    public enum DeviceType { CPU, CUDA }

    /// <summary>Where a tensor's storage lives. Only the CPU backend exists today; every storage records its device
    /// so that a CUDA backend can be added without changing the public API.</summary>
    public sealed class Device : IEquatable<Device>
    {
        public DeviceType type { get; }
        public int index { get; }

        public Device(DeviceType type, int index = -1) { this.type = type; this.index = index; }

        public bool Equals(Device? other) => other is not null && other.type == type && other.index == index;
        public override bool Equals(object? obj) => Equals(obj as Device);
        public override int GetHashCode() => HashCode.Combine(type, index);
        public override string ToString() => type == DeviceType.CPU ? "cpu" : index < 0 ? "cuda" : $"cuda:{index}";
    }

    public static readonly Device CPU = new(DeviceType.CPU);

    /// <summary>Parses "cpu", "cuda", "cuda:1" like torch.device(...).</summary>
    public static Device device(string name)
    {
        var s = name.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        if (s == "cuda") return new Device(DeviceType.CUDA);
        if (s.StartsWith("cuda:") && int.TryParse(s[5..], out var i)) return new Device(DeviceType.CUDA, i);
        throw new ArgumentException($"Unknown device '{name}'; expected \"cpu\", \"cuda\" or \"cuda:N\".");
    }

    public static bool cuda_is_available() => false;

    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType @long = ScalarType.Int64;
    public const ScalarType @bool = ScalarType.Bool;

    /// <summary>Throws for devices without a backend, naming the device.</summary>
    internal static Device CheckDevice(Device? d)
    {
        d ??= CPU;
        if (d.type != DeviceType.CPU)
            throw new NotSupportedException($"Device {d} has no backend in this build; only cpu is available.");
        return d;
    }
}
