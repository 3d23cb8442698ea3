#!/usr/bin/python3
"""Golden values for the RL library (src/R1/RL), computed with PyTorch autograd in float64.

Writes tests/R1.Tests/RL/Golden/grpo_golden.json. The C# tests read that file; they never run Python.
Regenerate with:  /usr/bin/python3 tools/golden/rl_golden.py

The formulas follow TRL's GRPOTrainer (the reference the SPEC names):
  advantages  A_i = (r_i - mean_group(r)) / (std(r) + 1e-4), std unbiased (torch.std), group or batch std,
              or no scaling (Dr. GRPO); RLOO: r_i - mean of the other G-1 rewards of the group.
  ratio       rho_t = exp(logp_t - old_t)
  token loss  l_t = -min(rho_t*A, clamp(rho_t, 1-eps_low, 1+eps_high)*A) + beta*KL_t
  KL          k1 = logp - ref, k2 = (logp - ref)^2 / 2, k3 = exp(ref - logp) - (ref - logp) - 1
  aggregation grpo: mean over sequences of the masked token mean; bnpo: masked sum / tokens in this batch;
              dr_grpo: masked sum / (B * max_completion_length); dapo: masked sum / tokens in the whole batch
              (the "whole batch" differs from this batch only when the loss is taken on a micro-batch).
  stats       clip_ratio/low_mean = masked mean of (rho < 1-eps_low & A < 0), .../high_mean of (rho > 1+eps_high & A > 0),
              .../region_mean of their union, kl = masked mean of KL_t.
"""
import json
import os

import torch

torch.manual_seed(1234)
dtype = torch.float64

G = 3                     # completions per prompt
B, T = 6, 6               # sequences, tokens per sequence
MAX_COMPLETION_LENGTH = 8 # dr_grpo's constant denominator, deliberately larger than T
lengths = [6, 4, 2, 5, 3, 6]
mask = torch.zeros(B, T, dtype=dtype)
for b, n in enumerate(lengths):
    mask[b, :n] = 1.0

# Per-token log-probabilities: policy (the tensor we differentiate), old (rollout-time policy), reference.
logp = -torch.rand(B, T, dtype=dtype) * 2.0 - 0.05
ref = logp + (torch.rand(B, T, dtype=dtype) - 0.5) * 0.8
# log-ratios spread over [-0.5, 0.5] so ratios fall in [0.61, 1.65]: clipped on both sides under eps 0.2,
# and some in (1.2, 1.28] that only the symmetric regime clips.
delta = (torch.rand(B, T, dtype=dtype) - 0.5)
delta[0, 1] = 0.23                     # rho = 1.259: clipped by eps_high 0.2, not by 0.28
delta[3, 2] = 0.235                    # same, on a sequence with the other sign of advantage
old = logp - delta

rewards = torch.tensor([1.0, 0.0, 0.5, 0.2, 0.9, 0.6], dtype=dtype)


def group_advantages(r, g, scale):
    grouped = r.view(-1, g)
    mean = grouped.mean(dim=1).repeat_interleave(g)
    adv = r - mean
    if scale == "group":
        std = grouped.std(dim=1).repeat_interleave(g)
    elif scale == "batch":
        std = r.std().expand_as(r)
    else:
        return adv
    return adv / (std + 1e-4)


def rloo_advantages(r, g):
    grouped = r.view(-1, g)
    baseline = (grouped.sum(dim=1, keepdim=True) - grouped) / (g - 1)
    return (grouped - baseline).reshape(-1)


def kl(kind, lp, rf):
    if kind == "k1":
        return lp - rf
    if kind == "k2":
        return 0.5 * (lp - rf) ** 2
    d = rf - lp
    return torch.exp(d) - d - 1.0


def grpo_loss(lp, old_lp, rf, adv, m, loss_type, eps_low, eps_high, beta, estimator, tokens_in_batch=None):
    coef_1 = torch.exp(lp - old_lp)
    coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
    a = adv.unsqueeze(1)
    per_token = -torch.min(coef_1 * a, coef_2 * a)
    per_token_kl = kl(estimator, lp, rf) if beta != 0 else None
    if beta != 0:
        per_token = per_token + beta * per_token_kl
    if loss_type == "grpo":
        loss = ((per_token * m).sum(-1) / m.sum(-1).clamp(min=1.0)).mean()
    elif loss_type == "bnpo":
        loss = (per_token * m).sum() / m.sum().clamp(min=1.0)
    elif loss_type == "dr_grpo":
        loss = (per_token * m).sum() / (per_token.size(0) * MAX_COMPLETION_LENGTH)
    elif loss_type == "dapo":
        n = m.sum() if tokens_in_batch is None else torch.tensor(tokens_in_batch, dtype=dtype)
        loss = (per_token * m).sum() / n.clamp(min=1.0)
    else:
        raise ValueError(loss_type)

    def masked_mean(x):
        return (x * m).sum() / m.sum().clamp(min=1.0)

    with torch.no_grad():
        low = ((coef_1 < 1 - eps_low) & (a < 0)).to(dtype)
        high = ((coef_1 > 1 + eps_high) & (a > 0)).to(dtype)
        region = torch.clamp(low + high, max=1.0)
        stats = {
            "kl": masked_mean(per_token_kl).item() if beta != 0 else 0.0,
            "clip_ratio/low_mean": masked_mean(low).item(),
            "clip_ratio/high_mean": masked_mean(high).item(),
            "clip_ratio/region_mean": masked_mean(region).item(),
        }
    return loss, stats


def rows(t):
    return t.detach().tolist()


def run_case(name, lp0, old_lp, rf, adv, m, loss_type, eps_low, eps_high, beta, estimator, tokens_in_batch=None):
    lp = lp0.clone().requires_grad_(True)
    loss, stats = grpo_loss(lp, old_lp, rf, adv, m, loss_type, eps_low, eps_high, beta, estimator, tokens_in_batch)
    loss.backward()
    return {
        "name": name,
        "loss_type": loss_type,
        "eps_low": eps_low,
        "eps_high": eps_high,
        "beta": beta,
        "kl_estimator": estimator,
        "max_completion_length": MAX_COMPLETION_LENGTH,
        "tokens_in_batch": tokens_in_batch,
        "rows": list(range(lp0.size(0))) if lp0.size(0) == B else None,
        "loss": loss.item(),
        "grad_logp": rows(lp.grad),
        "stats": stats,
    }


def main():
    adv = group_advantages(rewards, G, "group")
    # sanity: the clip regimes really do bite on both sides
    rho = torch.exp(logp - old)
    assert ((rho < 0.8) & (mask > 0)).any() and ((rho > 1.28) & (mask > 0)).any()
    assert ((rho > 1.2) & (rho <= 1.28) & (mask > 0)).any()
    for edge in (0.8, 1.2, 1.28):
        assert (rho - edge).abs().min() > 1e-3, "a ratio sits on a clip boundary: gradient ambiguous"

    cases = []
    for loss_type in ("grpo", "bnpo", "dr_grpo", "dapo"):
        for (el, eh, clip_name) in ((0.2, 0.2, "sym"), (0.2, 0.28, "clip_higher")):
            cases.append(run_case(f"{loss_type}/{clip_name}/beta0", logp, old, ref, adv, mask, loss_type, el, eh, 0.0, "k3"))
            for est in ("k1", "k2", "k3"):
                cases.append(run_case(f"{loss_type}/{clip_name}/beta0.04/{est}", logp, old, ref, adv, mask,
                                      loss_type, el, eh, 0.04, est))

    # mu = 1: old logp equals the policy's (detached), so every ratio is 1. With beta = 0 and zero-mean
    # advantages per group the grpo loss is -mean(A) = 0 while its gradient is not: the "loss stuck at 0" fact.
    cases.append(run_case("grpo/mu1/beta0", logp, logp.clone(), ref, adv, torch.ones(B, T, dtype=dtype),
                          "grpo", 0.2, 0.2, 0.0, "k3"))
    cases.append(run_case("bnpo/mu1/beta0", logp, logp.clone(), ref, adv, mask, "bnpo", 0.2, 0.28, 0.0, "k3"))

    # dapo on a micro-batch (rows 0..2) normalised by the token count of the whole batch (all 6 rows).
    rows_mb = [0, 1, 2]
    total_tokens = mask.sum().item()
    c = run_case("dapo/microbatch/clip_higher/beta0.04/k3", logp[rows_mb], old[rows_mb], ref[rows_mb], adv[rows_mb],
                 mask[rows_mb], "dapo", 0.2, 0.28, 0.04, "k3", tokens_in_batch=total_tokens)
    c["rows"] = rows_mb
    cases.append(c)

    # advantages on 9 rewards, 3 groups, the last with zero std (dynamic sampling would drop it)
    r9 = torch.tensor([1.0, 0.0, 0.5, 0.2, 0.9, 0.6, 1.0, 1.0, 1.0], dtype=dtype)
    adv_cases = {
        "rewards": r9.tolist(),
        "group_size": 3,
        "group": group_advantages(r9, 3, "group").tolist(),
        "batch": group_advantages(r9, 3, "batch").tolist(),
        "none": group_advantages(r9, 3, "none").tolist(),
        "rloo": rloo_advantages(r9, 3).tolist(),
        "zero_std_groups": [False, False, True],
    }

    kls = {est: rows(kl(est, logp, ref)) for est in ("k1", "k2", "k3")}

    out = {
        "generator": "tools/golden/rl_golden.py (PyTorch %s, float64)" % torch.__version__,
        "B": B, "T": T, "G": G,
        "logp": rows(logp), "old_logp": rows(old), "ref_logp": rows(ref), "mask": rows(mask),
        "rewards": rewards.tolist(), "advantages": adv.tolist(),
        "kl": kls,
        "advantage_cases": adv_cases,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "R1.Tests", "RL", "Golden", "grpo_golden.json")
    path = os.path.normpath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} loss cases")


if __name__ == "__main__":
    main()
