#!/usr/bin/python3
"""PyTorch peer of the `bench` command (src/R1.Cli/Bench): same shapes, same timing, a matching table.

Run with Debian's interpreter, which has python3-torch 1.13 (OpenBLAS):
    /usr/bin/python3 tools/bench_torch.py sgemm [--repeats 7] [--min-ms 100] [--only NAME]
"""
import argparse
import os
import time

import torch

# name, op, batch, M, N, K: C[M,N] = op(A)·op(B); "NT" = A·Bᵀ, "NN" = A·B, "TN" = Aᵀ·B.
# Keep in step with SgemmBench.Shapes.
SHAPES = [
    ("qkv.fwd", "NT", 1, 4096, 384, 128),
    ("qkv.dX", "NN", 1, 4096, 128, 384),
    ("qkv.dW", "TN", 1, 384, 128, 4096),
    ("mlp_up.fwd", "NT", 1, 4096, 512, 128),
    ("mlp_down.fwd", "NT", 1, 4096, 128, 512),
    ("mlp_down.dW", "TN", 1, 128, 512, 4096),
    ("square", "NN", 1, 1024, 1024, 1024),
    ("attn.scores", "NT", 128, 128, 128, 32),
    ("attn.pv", "NN", 128, 128, 32, 128),
    ("attn.dV", "TN", 128, 128, 32, 128),
]
ASSUMED_PEAK = 190.0  # GFLOP/s: 2 cores x 2 AVX2 FMA ports x 8 lanes x 2 FLOP x ~3 GHz (the figure)


def operand(batch, rows, cols, trans):
    """op(X) of logical shape rows×cols, stored transposed when trans (a view, as autograd would pass it)."""
    if trans:
        x = torch.rand(batch, cols, rows) * 2 - 1
        return x.transpose(1, 2)
    return torch.rand(batch, rows, cols) * 2 - 1


def time_call(call, repeats, min_ms):
    """Seconds per call: (median, best) over repeats, each looping the call for at least min_ms."""
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < max(0.2, min_ms / 1e3) or calls < 3:
        call()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    iters = max(1, int(-(-min_ms / 1e3 // per_call)))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(iters):
            call()
        times.append((time.perf_counter() - t) / iters)
    times.sort()
    return times[len(times) // 2], times[0]


def sgemm(args):
    print(f"sgemm (torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}), "
          f"median of {args.repeats} repeats of >={args.min_ms} ms after warm-up")
    print(f"peak assumed {ASSUMED_PEAK:.0f} GFLOP/s (2 cores AVX2 FMA, from the issue)")
    print(f"{'name':<14} {'op':<3} {'batch':>5} {'M×N×K':<16} {'ms':>9} {'GFLOP/s':>8} {'best':>8} {'%peak':>6}")
    torch.manual_seed(1)
    with torch.no_grad():
        for name, op, batch, m, n, k in SHAPES:
            if args.only and args.only.lower() not in name.lower():
                continue
            a = operand(batch, m, k, op[0] == "T")
            b = operand(batch, k, n, op[1] == "T")
            c = torch.empty(batch, m, n)
            if batch == 1:
                a, b, c = a[0], b[0], c[0]
                call = lambda: torch.matmul(a, b, out=c)
            else:
                call = lambda: torch.bmm(a, b, out=c)
            median, best = time_call(call, args.repeats, args.min_ms)
            flops = 2.0 * batch * m * n * k
            g, g_best = flops / median / 1e9, flops / best / 1e9
            print(f"{name:<14} {op:<3} {batch:>5} {f'{m}×{n}×{k}':<16} {median * 1e3:>9.3f} "
                  f"{g:>8.1f} {g_best:>8.1f} {100 * g / ASSUMED_PEAK:>5.0f}%")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("benchmark", choices=["sgemm"])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--min-ms", type=float, default=100)
    p.add_argument("--only", default=None)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2: it starts at 1 here)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    {"sgemm": sgemm}[args.benchmark](args)


if __name__ == "__main__":
    main()
