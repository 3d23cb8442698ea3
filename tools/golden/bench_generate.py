#!/usr/bin/python3
"""PyTorch eager peer for the generation benchmark: the same GPT shape (4 layers, d_model 128, 4 heads, context 256),
64 prompts of 16 tokens, 128 new tokens each, multinomial sampling, with a KV cache (preallocated per layer, as the
C# sampler) — the fair eager baseline; without a cache PyTorch would recompute the whole prefix every step.
Prints tokens/s, median and best of --reps runs. Run: /usr/bin/python3 tools/golden/bench_generate.py [--threads 2]
"""
import argparse, math, time
import torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--reps", type=int, default=3)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--new", type=int, default=128)
a = p.parse_args()
torch.set_num_threads(a.threads)
V, T, C, L, H, P = 100, 256, 128, 4, 4, 16
D = C // H
torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.c_attn, self.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x, kc, vc, pos):
        b, t, _ = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, 2)
        q, k, v = (z.view(b, t, H, D).transpose(1, 2) for z in (q, k, v))
        kc[:, :, pos:pos + t], vc[:, :, pos:pos + t] = k, v
        att = (q @ kc[:, :, :pos + t].transpose(-2, -1)) / math.sqrt(D)
        if t > 1:
            att = att.masked_fill(~torch.tril(torch.ones(t, pos + t, dtype=torch.bool), diagonal=pos), float("-inf"))
        y = (att.softmax(-1) @ vc[:, :, :pos + t]).transpose(1, 2).reshape(b, t, C)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


wte, wpe, lnf = nn.Embedding(V, C), nn.Embedding(T, C), nn.LayerNorm(C)
blocks = nn.ModuleList([Block() for _ in range(L)])


@torch.no_grad()
def generate(B, N):
    x = torch.randint(0, V, (B, P))
    kc = [torch.zeros(B, H, P + N, D) for _ in range(L)]
    vc = [torch.zeros(B, H, P + N, D) for _ in range(L)]
    pos, out = 0, []
    for _ in range(N):
        t = x.shape[1]
        h = wte(x) + wpe(torch.arange(pos, pos + t))
        for blk, k, v in zip(blocks, kc, vc):
            h = blk(h, k, v, pos)
        logp = F.log_softmax(lnf(h[:, -1, :]) @ wte.weight.T, -1)
        x = torch.multinomial(logp.exp(), 1)
        out.append((x, logp.gather(-1, x)))
        pos += t
    return out


generate(a.batch, 8)
rates = []
for _ in range(a.reps):
    t0 = time.perf_counter()
    generate(a.batch, a.new)
    rates.append(a.batch * a.new / (time.perf_counter() - t0))
rates.sort()
print(f"pytorch {torch.__version__} eager, KV cache, {a.threads} threads: {a.batch}x{a.new} tokens, "
      f"median {rates[len(rates) // 2]:.0f}, best {rates[-1]:.0f} tokens/s")
