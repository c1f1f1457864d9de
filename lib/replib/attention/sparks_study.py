"""Drivers of thinking-sparks' small-scale analogue (Park et al. 2025, "Thinking Sparks!").

A tiny decoder (``nets.lm.TinyLM`` with ``attention.mha`` heads) learns chained modular
arithmetic (``data.arithmetic``) in three post-training regimes that mirror the paper's:

* ``sft``: supervised fine-tuning on traces (direct or think format, optionally with a mode
  token, optionally a 50/50 mix of both formats for the think on/off model);
* ``grpo_train``: GRPO (``rl.grpo``) with an exact-answer reward, G sampled completions per
  prompt, clipped ratio and a KL penalty to the frozen start policy;
* checkpoints (state-dict snapshots) along both, for circuit dynamics.

``attribute`` runs node-level EAP-IG (``attention.attribution``) on teacher-forced traces of
clean vs operand-corrupted problems, scoring the completion positions; ``accuracy`` decodes
greedily and parses the answer. Nothing here prints.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
import torch

from replib.attention.attribution import HeadAttribution, head_attribution
from replib.attention.mha import MultiHeadAttention
from replib.book.train import fit
from replib.data.arithmetic import (
    TOK,
    VOCAB,
    Chains,
    completion_len,
    corrupt,
    encode,
    parse_answer,
    sample_chains,
)
from replib.nets.lm import TinyLM, lm_loss
from replib.rl.grpo import group_advantages, grpo_loss, token_logprobs

__all__ = ["build_model", "trace_batch", "sft", "generate", "accuracy", "grpo_train",
           "attribute", "snapshot"]


def build_model(*, d_model: int, n_layers: int, n_heads: int, max_len: int = 32) -> TinyLM:
    """TinyLM over the arithmetic vocabulary, learned positions, GELU FFN, SDPA heads."""
    return TinyLM(vocab_size=len(VOCAB), d_model=d_model, n_layers=n_layers, ffn="gelu",
                  d_ff=4 * d_model, pos="learned", max_len=max_len,
                  mixer=lambda i: MultiHeadAttention(d_model, n_heads,
                                                     track_first_token=False))


def snapshot(model: torch.nn.Module) -> dict:
    """A detached copy of the model's state dict (a checkpoint)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def trace_batch(chains: Chains, *, fmt: str, mode_token: bool = False):
    """Teacher-forced ``(x, y, mask)``: loss on the completion tokens only."""
    p, c = encode(chains, fmt=fmt, mode_token=mode_token)
    seq = torch.cat([p, c], dim=1)
    x, y = seq[:, :-1], seq[:, 1:]
    mask = torch.zeros_like(y, dtype=torch.bool)
    mask[:, p.shape[1] - 1:] = True
    return x, y, mask


def sft(model: TinyLM, *, steps: int, ks: Sequence[int], fmt: str, lr: float,
        batch_size: int, generator: torch.Generator, mode_token: bool = False,
        mix: bool = False, checkpoint_every: int | None = None, modulus: int = 10,
        device: str = "cpu", progress: Callable | None = None) -> list[dict]:
    """Supervised fine-tuning; returns checkpoints every ``checkpoint_every`` steps.

    ``mix=True`` alternates think and direct batches (with their mode tokens: the on/off
    model); otherwise every batch has format ``fmt``. Each batch draws one k from ``ks``.
    """
    ks = list(ks)
    ckpts: list[dict] = []

    def batches(step):
        k = ks[int(torch.randint(0, len(ks), (1,), generator=generator))]
        f = ("think" if step % 2 == 0 else "direct") if mix else fmt
        b = trace_batch(sample_chains(batch_size, k=k, generator=generator, modulus=modulus),
                        fmt=f, mode_token=mode_token or mix)
        return tuple(t.to(device) for t in b)

    def loss_fn(m, b):
        logits, _ = m(b[0])
        return lm_loss(logits, b[1], b[2])

    def eval_fn(m, step):
        ckpts.append(snapshot(m))
        return {}

    fit(model, loss_fn, batches, steps=steps, lr=lr, weight_decay=0.01,
        warmup_steps=min(20, steps), eval_fn=eval_fn if checkpoint_every else None,
        eval_every=checkpoint_every, progress=progress)
    model.eval()
    return ckpts


@torch.no_grad()
def generate(model: TinyLM, prompts: torch.Tensor, *, n_new: int, temperature: float = 0.0,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Greedy (``temperature=0``) or sampled continuation tokens ``(n, n_new)``."""
    idx = prompts
    for _ in range(n_new):
        logits = model(idx)[0][:, -1].float()
        if temperature > 0:
            nxt = torch.multinomial(torch.softmax(logits / temperature, -1), 1,
                                    generator=generator)
        else:
            nxt = logits.argmax(-1, keepdim=True)
        idx = torch.cat([idx, nxt], dim=1)
    return idx[:, prompts.shape[1]:]


def accuracy(model: TinyLM, chains: Chains, *, mode: str | None = None) -> float:
    """Exact-answer accuracy of greedy decoding; ``mode`` in {None, "think", "direct"}
    adds the corresponding mode token to the prompt."""
    fmt = "direct" if mode == "direct" else "think"
    p, _ = encode(chains, fmt=fmt, mode_token=mode is not None)
    was = model.training
    model.eval()
    dev = next(model.parameters()).device
    out = generate(model, p.to(dev), n_new=completion_len(chains.k, "think")).cpu()
    model.train(was)
    return float((parse_answer(out) == chains.answers).float().mean())


def _completion_mask(comp: torch.Tensor) -> torch.Tensor:
    """Tokens up to and including the first EOS."""
    eos = (comp == TOK["<eos>"]).int()
    after = torch.cumsum(eos, dim=1) - eos  # EOS seen strictly before
    return after == 0


def grpo_train(model: TinyLM, *, steps: int, ks: Sequence[int], group: int, prompts: int,
               lr: float, clip_eps: float, kl_coef: float, temperature: float,
               generator: torch.Generator, checkpoint_every: int, modulus: int = 10,
               progress: Callable | None = None) -> tuple[list[dict], np.ndarray]:
    """GRPO with reward = exact final answer; returns (checkpoints, mean reward per step).

    One gradient step per batch of samples (so the ratio is 1 at the step; the clip and
    the ratio machinery of ``rl.grpo`` stay in place for multi-epoch use).
    """
    ks = list(ks)
    ref = copy.deepcopy(model).eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95), weight_decay=0.0)
    ckpts, rewards = [], []
    it = range(steps) if progress is None else progress(range(steps))
    for step in it:
        k = ks[int(torch.randint(0, len(ks), (1,), generator=generator))]
        ch = sample_chains(prompts, k=k, generator=generator, modulus=modulus)
        dev = next(model.parameters()).device
        p, _ = encode(ch, fmt="think")
        p = p.repeat_interleave(group, dim=0).to(dev)
        model.eval()
        comp = generate(model, p, n_new=completion_len(k, "think"), temperature=temperature,
                        generator=generator if dev.type == "cpu" else None)
        r = (parse_answer(comp.cpu()) == ch.answers.repeat_interleave(group)).float()
        adv = group_advantages(r, group_size=group).to(dev)
        mask = _completion_mask(comp)
        seq = torch.cat([p, comp], dim=1)
        x, tgt = seq[:, :-1], seq[:, p.shape[1]:]
        model.train()
        logits = model(x)[0][:, p.shape[1] - 1:]
        logp = token_logprobs(logits, tgt)
        with torch.no_grad():
            ref_logp = token_logprobs(ref(x)[0][:, p.shape[1] - 1:], tgt)
        loss, _ = grpo_loss(logp, logp.detach(), adv, mask=mask, ref_logp=ref_logp,
                            clip_eps=clip_eps, kl_coef=kl_coef)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        rewards.append(float(r.mean()))
        if (step + 1) % checkpoint_every == 0:
            ckpts.append(snapshot(model))
    model.eval()
    return ckpts, np.asarray(rewards)


def attribute(model: TinyLM, chains: Chains, *, generator: torch.Generator, fmt: str = "think",
              mode_token: bool = False, ig_steps: int = 5) -> HeadAttribution:
    """Node-level EAP-IG on teacher-forced traces: clean vs operand-corrupted problems."""
    bad = corrupt(chains, generator=generator)
    dev = next(model.parameters()).device
    xc, _, mask = trace_batch(chains, fmt=fmt, mode_token=mode_token)
    xr, _, _ = trace_batch(bad, fmt=fmt, mode_token=mode_token)
    return head_attribution(model, xc.to(dev), xr.to(dev), mask=mask.to(dev),
                            ig_steps=ig_steps)
