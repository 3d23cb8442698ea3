namespace R1;

public static partial class torch
{
    public static partial class optim
    {
        public static Modules.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 0.01)
            => new([new Modules.ParamGroup(parameters)], lr, beta1, beta2, eps, weight_decay);

        /// <summary>AdamW over parameter groups (e.g. weight decay only on matrices, as nanoGPT does).</summary>
        public static Modules.AdamW AdamW(IEnumerable<Modules.ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 0.01)
            => new(groups, lr, beta1, beta2, eps, weight_decay);

        public static class lr_scheduler
        {
            /// <summary>Linear warmup then cosine decay (see <see cref="Modules.LRSchedules.CosineWithWarmup"/>).</summary>
            public static double CosineWithWarmup(long step, long warmup, long total, double maxLr, double minLr)
                => Modules.LRSchedules.CosineWithWarmup(step, warmup, total, maxLr, minLr);
        }
    }

    public static partial class nn
    {
        public static partial class utils
        {
            /// <summary>
            /// Scales all gradients so their global L2 norm is at most <paramref name="max_norm"/>
            /// (factor max_norm / (norm + 1e-6), applied only when below 1); returns the norm before clipping.
            /// </summary>
            public static double clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm)
            {
                var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
                double sq = 0;
                foreach (var g in grads) sq += g.SquaredNorm();
                double total = Math.Sqrt(sq);
                double coef = max_norm / (total + 1e-6);
                if (coef < 1)
                    using (no_grad()) foreach (var g in grads) g.mul_((float)coef);
                return total;
            }
        }
    }
}
