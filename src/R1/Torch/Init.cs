namespace R1;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>In-place initialisers (no graph), as torch.nn.init.</summary>
        public static class init
        {
            static Span<float> Target(Tensor t, string op)
            {
                if (t.dtype != ScalarType.Float32) throw new ArgumentException($"{op}: tensor must be Float32; got {t.dtype}.");
                if (!t.is_contiguous()) throw new ArgumentException($"{op}: tensor must be contiguous.");
                return t.FSpan;
            }

            public static Tensor normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null)
            {
                var g = generator ?? DefaultGen; var d = Target(t, "normal_");
                for (int i = 0; i < d.Length; i++) d[i] = (float)(mean + std * g.NextNormal());
                return t;
            }

            public static Tensor uniform_(Tensor t, double a = 0, double b = 1, Generator? generator = null)
            {
                var g = generator ?? DefaultGen; var d = Target(t, "uniform_");
                for (int i = 0; i < d.Length; i++) d[i] = (float)(a + (b - a) * g.NextDouble());
                return t;
            }

            public static Tensor constant_(Tensor t, double value) { Target(t, "constant_").Fill((float)value); return t; }
            public static Tensor zeros_(Tensor t) => constant_(t, 0);
            public static Tensor ones_(Tensor t) => constant_(t, 1);

            /// <summary>PyTorch's default Linear init: kaiming_uniform_(a=√5) = U(−1/√fan_in, 1/√fan_in).</summary>
            public static Tensor kaiming_uniform_(Tensor t, double a = 0, Generator? generator = null)
            {
                if (t.dim() < 2) throw new ArgumentException($"kaiming_uniform_: needs at least 2 dimensions; got {ShapeStr(t.Shape)}.");
                long fanIn = t.Numel / t.Shape[0];
                double gain = Math.Sqrt(2.0 / (1 + a * a));
                double bound = Math.Sqrt(3.0) * gain / Math.Sqrt(fanIn);
                return uniform_(t, -bound, bound, generator);
            }
        }
    }
}
