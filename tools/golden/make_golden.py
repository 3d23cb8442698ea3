#!/usr/bin/python3
"""Golden values for the C# GPT: a tiny nanoGPT-shaped model in PyTorch, run once with a fixed seed.

Writes tests/R1.Tests/Golden/gpt_tiny.safetensors (the safetensors format written by hand with struct+json,
so the C# reader is also checked against an independent writer). It holds:
  <name>            every parameter, nanoGPT names (lm_head.weight is tied to transformer.wte.weight, not stored)
  idx, targets      int64 (B,T) input batch and next-token targets, some targets -100 (ignored by the loss)
  logits            (B,T,V) forward output
  loss              () mean cross entropy over the non-ignored targets
  grad.<name>       d loss / d parameter
  logprobs          (B,T-1) log p(idx[:, t+1] | idx[:, :t+1]) under the model
  adamw.<name>      parameters after 3 AdamW steps on (idx, targets): lr 1e-2, betas (0.9, 0.95), eps 1e-8,
                    weight decay 0.1 on every parameter
  greedy.prompt     int64 (1,P) prompt; greedy.tokens int64 (1,N): N greedy tokens appended by the model
The metadata records the config and the GELU form.

Run: /usr/bin/python3 tools/golden/make_golden.py   (Debian's python3-torch 1.13)
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

V, T, C, N_LAYER, N_HEAD, B = 23, 16, 32, 2, 2, 3
SEED = 1337


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(C, 3 * C)
        self.c_proj = nn.Linear(C, C)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)                      # (B, T, C) each
        hd = c // N_HEAD
        q = q.view(b, t, N_HEAD, hd).transpose(1, 2)                  # (B, H, T, hd)
        k = k.view(b, t, N_HEAD, hd).transpose(1, 2)
        v = v.view(b, t, N_HEAD, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)               # (B, H, T, T)
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        att = att.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)      # (B, T, C)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(C, 4 * C)
        self.c_proj = nn.Linear(4 * C, C)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C, eps=1e-5)
        self.attn = Attention()
        self.ln_2 = nn.LayerNorm(C, eps=1e-5)
        self.mlp = Mlp()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(V, C),
            wpe=nn.Embedding(T, C),
            h=nn.ModuleList([Block() for _ in range(N_LAYER)]),
            ln_f=nn.LayerNorm(C, eps=1e-5),
        ))
        self.lm_head = nn.Linear(C, V, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied, as in nanoGPT

    def forward(self, idx):
        b, t = idx.shape
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(t))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))                 # (B, T, V)


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 LE header length, JSON header padded with spaces to 8 bytes, raw LE data."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().astype("<f4" if dtype == "F32" else "<i8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def main():
    torch.manual_seed(SEED)
    model = GPT()
    # Every parameter gets distinct random values (not nanoGPT's zero biases / unit LayerNorm), so each one
    # visibly affects the output and a wrong wiring cannot hide.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            else:
                p.copy_((0.02 if p.dim() == 2 else 0.01) * torch.randn_like(p) * (5.0 if "wte" in name else 1.0))
    params = dict(model.named_parameters())
    assert "lm_head.weight" not in params

    idx = torch.randint(0, V, (B, T), dtype=torch.int64)
    targets = torch.roll(idx, -1, dims=1)
    targets[:, -1] = torch.randint(0, V, (B,))
    targets[0, :4] = -100       # a "prompt" whose positions the loss ignores
    targets[2, 7] = -100

    out = {k: v.detach().clone() for k, v in params.items()}
    out["idx"], out["targets"] = idx, targets

    logits = model(idx)
    loss = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-100)
    loss.backward()
    out["logits"], out["loss"] = logits.detach().clone(), loss.detach().clone()
    for k, p in params.items():
        out["grad." + k] = p.grad.detach().clone()

    with torch.no_grad():
        lp = F.log_softmax(model(idx), dim=-1)[:, :-1, :]                 # (B, T-1, V)
        out["logprobs"] = lp.gather(-1, idx[:, 1:].unsqueeze(-1)).squeeze(-1)

        prompt = idx[:1, :5]
        seq = prompt
        for _ in range(T - prompt.shape[1]):
            nxt = model(seq)[:, -1, :].argmax(dim=-1, keepdim=True)
            seq = torch.cat([seq, nxt], dim=1)
        out["greedy.prompt"], out["greedy.tokens"] = prompt.clone(), seq[:, prompt.shape[1]:].clone()

    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    for _ in range(3):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(idx).view(-1, V), targets.view(-1), ignore_index=-100)
        loss.backward()
        opt.step()
    for k, p in params.items():
        out["adamw." + k] = p.detach().clone()

    meta = {
        "config": json.dumps({"VocabSize": V, "BlockSize": T, "NLayer": N_LAYER, "NHead": N_HEAD, "NEmbd": C}),
        "gelu": "tanh",
        "layer_norm_eps": "1e-5",
        "torch": torch.__version__,
        "seed": str(SEED),
    }
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "tests", "R1.Tests", "Golden", "gpt_tiny.safetensors")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_safetensors(os.path.normpath(path), out, meta)
    print(f"wrote {os.path.normpath(path)}: {len(out)} tensors, loss {out['loss'].item():.6f}, "
          f"{sum(p.numel() for p in params.values())} parameters")


if __name__ == "__main__":
    main()
