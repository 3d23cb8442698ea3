using System.Diagnostics;
using System.Text;

namespace R1;

public static partial class torch
{
    /// <summary>
    /// Optional per-op timing for finding hot spots (off by default; one branch per op when off).
    /// Forward time is attributed to an op as the time since the previous recorded op ended, so it includes the
    /// caller's glue between ops; backward time is measured per node exactly. Single-threaded use only.
    /// </summary>
    internal static class Profiler
    {
        public static bool Enabled;
        static long last;
        static readonly Dictionary<string, (double fwd, double bwd, long calls)> stats = new();

        public static void Reset() { stats.Clear(); last = Stopwatch.GetTimestamp(); }

        internal static void Forward(string name)
        {
            long now = Stopwatch.GetTimestamp();
            double ms = (now - last) * 1000.0 / Stopwatch.Frequency;
            stats.TryGetValue(name, out var s);
            stats[name] = (s.fwd + ms, s.bwd, s.calls + 1);
            last = now;
        }

        internal static void Backward(string name, long start)
        {
            long now = Stopwatch.GetTimestamp();
            double ms = (now - start) * 1000.0 / Stopwatch.Frequency;
            stats.TryGetValue(name, out var s);
            stats[name] = (s.fwd, s.bwd + ms, s.calls);
            last = now;
        }

        public static string Report(int steps = 1)
        {
            var sb = new StringBuilder();
            sb.AppendLine($"{"op",-36} {"fwd ms",9} {"bwd ms",9} {"calls",7}");
            foreach (var (k, v) in stats.OrderByDescending(kv => kv.Value.fwd + kv.Value.bwd))
                sb.AppendLine($"{k,-36} {v.fwd / steps,9:F2} {v.bwd / steps,9:F2} {v.calls / steps,7}");
            return sb.ToString();
        }
    }
}
