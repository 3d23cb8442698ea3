#!/usr/bin/python3
"""PyTorch peer of the `bench` command (src/R1.Cli/Bench): same shapes, same timing, a matching table.

Run with Debian's interpreter, which has python3-torch 1.13 (OpenBLAS):
    /usr/bin/python3 tools/bench_torch.py sgemm [--repeats 7] [--min-ms 100] [--only NAME]
    /usr/bin/python3 tools/bench_torch.py train-step [--warmup 10] [--steps 20]
"""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

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
    """Seconds per call: (median, best) over repeats, each looping the call for at least min_ms,
    and the median process CPU seconds per call (all threads, OpenBLAS's included)."""
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < max(0.2, min_ms / 1e3) or calls < 3:
        call()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    iters = max(1, int(-(-min_ms / 1e3 // per_call)))
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(iters):
            call()
        times.append((time.perf_counter() - t) / iters)
        cpu.append((time.process_time() - c) / iters)
    times.sort()
    cpu.sort()
    return times[len(times) // 2], times[0], cpu[len(cpu) // 2]


def sgemm(args):
    print(f"sgemm (torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}), "
          f"median of {args.repeats} repeats of >={args.min_ms} ms after warm-up")
    print(f"peak assumed {ASSUMED_PEAK:.0f} GFLOP/s (2 cores AVX2 FMA, from the issue)")
    print("GFLOP/s from wall time (median, best); cpu = GFLOP per CPU-second of the whole process, "
          "which other jobs on the machine disturb less")
    print(f"{'name':<14} {'op':<3} {'batch':>5} {'M×N×K':<16} {'ms':>9} {'GFLOP/s':>8} {'best':>8} {'%peak':>6} {'cpu':>6}")
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
            median, best, cpu = time_call(call, args.repeats, args.min_ms)
            flops = 2.0 * batch * m * n * k
            g, g_best = flops / median / 1e9, flops / best / 1e9
            print(f"{name:<14} {op:<3} {batch:>5} {f'{m}×{n}×{k}':<16} {median * 1e3:>9.3f} "
                  f"{g:>8.1f} {g_best:>8.1f} {100 * g / ASSUMED_PEAK:>5.0f}% {flops / cpu / 1e9:>6.1f}")


# train-step: nanoGPT's model (as tools/golden/make_golden.py) at the benchmark shape; keep in step with TrainStepBench.
TS_V, TS_T, TS_C, TS_L, TS_H, TS_B = 128, 128, 128, 4, 4, 32


class TsBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(TS_C), nn.LayerNorm(TS_C)
        self.c_attn, self.attn_proj = nn.Linear(TS_C, 3 * TS_C), nn.Linear(TS_C, TS_C)
        self.c_fc, self.mlp_proj = nn.Linear(TS_C, 4 * TS_C), nn.Linear(4 * TS_C, TS_C)

    def forward(self, x):
        b, t, c = x.shape
        d = c // TS_H
        q, k, v = (z.view(b, t, TS_H, d).transpose(1, 2) for z in self.c_attn(self.ln_1(x)).split(c, 2))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        att = att.masked_fill(~torch.tril(torch.ones(t, t, dtype=torch.bool)), float("-inf")).softmax(-1)
        x = x + self.attn_proj((att @ v).transpose(1, 2).contiguous().view(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class TsGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe, self.ln_f = nn.Embedding(TS_V, TS_C), nn.Embedding(TS_T, TS_C), nn.LayerNorm(TS_C)
        self.h = nn.ModuleList([TsBlock() for _ in range(TS_L)])

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.T                     # lm_head tied to wte
        return F.cross_entropy(logits.view(-1, TS_V), targets.view(-1))


def train_step(args):
    """One step as the C# trainer: loss, zero_grad, backward, clip_grad_norm_(1.0), AdamW (nanoGPT's groups)."""
    torch.manual_seed(1)
    model = TsGPT()
    params = list(model.parameters())
    opt = torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                             {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
    model.train()
    steps = args.warmup + args.steps
    data = torch.randint(0, TS_V, (steps, TS_B, TS_T + 1))
    print(f"train-step (torch {torch.__version__} eager, {torch.get_num_threads()} threads): GPT 4 layers, d_model 128, "
          f"4 heads, context {TS_T}, batch {TS_B}, vocab {TS_V}; {args.warmup} warm-up steps, median of {args.steps} timed steps", flush=True)
    times = []
    for s in range(steps):
        idx, tgt = data[s, :, :-1].contiguous(), data[s, :, 1:].contiguous()
        t0 = time.perf_counter()
        loss = model(idx, tgt)
        loss_value = loss.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if s >= args.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    median, best = times[len(times) // 2] * 1e3, times[0] * 1e3
    n = TS_B * TS_T
    print(f"{'impl':<10} {'median ms':>10} {'best ms':>9} {'tokens/s':>10} {'best tok/s':>10} {'last loss':>9}")
    print(f"{'pytorch':<10} {median:>10.1f} {best:>9.1f} {n / median * 1e3:>10.0f} {n / best * 1e3:>10.0f} {loss_value:>9.4f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("benchmark", choices=["sgemm", "train-step"])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--min-ms", type=float, default=100)
    p.add_argument("--only", default=None)
    p.add_argument("--warmup", type=int, default=10, help="train-step: untimed steps first")
    p.add_argument("--steps", type=int, default=20, help="train-step: timed steps, median reported")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2: it starts at 1 here)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    {"sgemm": sgemm, "train-step": train_step}[args.benchmark](args)


if __name__ == "__main__":
    main()
