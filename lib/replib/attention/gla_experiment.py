"""Experiment loops of the GLA chapter (Yang et al. 2024, Sec. 5, Table 4, Fig. 4-5).

Every model is the same ``nets.lm.TinyLM`` host (pre-norm RMSNorm blocks with a SwiGLU FFN,
tied head) with one token mixer swapped (``MIXERS``):

* ``"gla"``: GLA layer with the diagonal data-dependent gate (``attention.gla``);
* ``"scalar"``: the same layer with a data-dependent scalar gate per head;
* ``"retnet"``: the same layer with RetNet's fixed per-head decay γ_h = 1 − 2^{−5−h};
* ``"none"``: the same layer without a forget gate (plain linear attention);
* ``"softmax"``: causal softmax attention with RoPE (``attention.mha``, SDPA backend).

Loops: ``train_char_lm`` (char-level LM on ``data.text``; val loss/ppl and the median step
time), ``train_mqar`` (Zoology MQAR, accuracy on held-out answer tokens),
``extrapolation_buckets`` (per-position-bucket loss beyond the training length) and
``exactness`` (recurrent vs parallel vs chunkwise, Sec. 4.2-4.3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch.nn import functional as F

from replib.attention.gla import GLA
from replib.attention.linear import gated_linear_attention
from replib.attention.mha import MultiHeadAttention
from replib.attention.positional import Rotary
from replib.book.train import fit
from replib.data.synthetic_seq import mqar
from replib.data.text import CharCorpus, eval_batches, random_batch
from replib.nets.lm import TinyLM, evaluate, lm_loss, position_bucket_loss

__all__ = ["MIXERS", "mixer_factory", "build_lm", "fit_char_lm", "train_char_lm", "train_mqar",
           "extrapolation_buckets", "exactness"]

MIXERS = ("gla", "scalar", "retnet", "none", "softmax")
_GATE = {"gla": "diag", "scalar": "scalar", "retnet": "fixed", "none": "none"}


def mixer_factory(kind: str, *, d_model: int, n_heads: int, tau: float = 16.0,
                  chunk: int = 64, subchunk: int | None = None,
                  backend: str = "torch") -> Callable[[int], torch.nn.Module]:
    """``factory(layer_idx) -> mixer`` for one of ``MIXERS``."""
    if kind not in MIXERS:
        raise ValueError(f"mixer must be one of {MIXERS}, got {kind!r}")
    if kind == "softmax":
        return lambda i: MultiHeadAttention(d_model, n_heads, qk_transform=Rotary(
            d_head=d_model // n_heads), track_first_token=False)
    sub = chunk if subchunk is None else subchunk
    return lambda i: GLA(d_model=d_model, n_heads=n_heads, gate=_GATE[kind], tau=tau,
                         chunk=chunk, subchunk=sub, backend=backend)


def build_lm(kind: str, *, vocab_size: int, d_model: int, n_layers: int, n_heads: int,
             seed: int, **mixer_kw) -> TinyLM:
    """TinyLM with the chosen mixer, initialised from ``seed``."""
    torch.manual_seed(seed)
    return TinyLM(vocab_size=vocab_size, d_model=d_model, n_layers=n_layers,
                  mixer=mixer_factory(kind, d_model=d_model, n_heads=n_heads, **mixer_kw))


def _lm_step(model, batch):
    logits, _ = model(batch[0])
    return lm_loss(logits, batch[1], batch[2] if len(batch) > 2 else None)


def fit_char_lm(model: TinyLM, *, corpus: CharCorpus, seed: int, steps: int,
                batch_size: int, seq_len: int, lr: float, weight_decay: float = 0.01,
                val_windows: int | None = None, device: str = "cpu", progress=None) -> dict:
    """Train ``model`` on random windows of ``corpus.train`` (AdamW, 5% warm-up, cosine,
    clip 1.0); validation loss/ppl on contiguous ``corpus.val`` windows, all of them unless
    ``val_windows`` caps the count (64 windows of 64 characters covered only the opening
    docstring of the first held-out file). Shared with ``attention.gam_experiment``."""
    g = torch.Generator().manual_seed(10_000 + seed)
    hist = fit(model, _lm_step,
               lambda s: [t.to(device) for t in random_batch(
                   corpus.train, batch_size=batch_size, seq_len=seq_len, generator=g)],
               steps=steps, lr=lr, weight_decay=weight_decay,
               warmup_steps=max(1, steps // 20), grad_clip=1.0,
               tokens_per_batch=batch_size * seq_len, progress=progress)
    ev = evaluate(model, [[t.to(device) for t in b] for b in eval_batches(
        corpus.val, seq_len=seq_len, batch_size=32, max_windows=val_windows)])
    return {"seed": seed, "val_loss": ev["loss"], "val_ppl": ev["ppl"],
            "train_loss": hist.final_loss, "step_s": hist.median_step_s,
            "n_spikes": hist.n_spikes, "model": model, "history": hist}


def train_char_lm(kind: str, *, corpus: CharCorpus, seed: int, steps: int, batch_size: int,
                  seq_len: int, d_model: int, n_layers: int, n_heads: int, lr: float,
                  val_windows: int | None = None, device: str = "cpu", progress=None,
                  **mixer_kw) -> dict:
    """Train one char LM; returns val loss/ppl, median step seconds, model and history."""
    model = build_lm(kind, vocab_size=corpus.vocab_size, d_model=d_model,
                     n_layers=n_layers, n_heads=n_heads, seed=seed, **mixer_kw).to(device)
    out = fit_char_lm(model, corpus=corpus, seed=seed, steps=steps, batch_size=batch_size,
                      seq_len=seq_len, lr=lr, val_windows=val_windows, device=device,
                      progress=progress)
    return {"kind": kind, **out}


def train_mqar(kind: str, *, seed: int, steps: int, batch_size: int, vocab_size: int,
               seq_len: int, n_pairs: int, d_model: int, n_layers: int, n_heads: int,
               lr: float, n_eval: int = 512, device: str = "cpu", progress=None,
               **mixer_kw) -> dict:
    """Train on fresh MQAR batches; accuracy on ``n_eval`` held-out sequences' answers."""
    model = build_lm(kind, vocab_size=vocab_size, d_model=d_model, n_layers=n_layers,
                     n_heads=n_heads, seed=seed, **mixer_kw).to(device)
    g = torch.Generator().manual_seed(20_000 + seed)
    task = dict(vocab_size=vocab_size, seq_len=seq_len, n_pairs=n_pairs)

    def batch(step):
        t = mqar(n_samples=batch_size, generator=g, **task)
        return t.inputs.to(device), t.targets.to(device), t.mask.to(device)

    hist = fit(model, _lm_step, batch, steps=steps, lr=lr, weight_decay=0.01,
               warmup_steps=max(1, steps // 20), grad_clip=1.0, progress=progress)
    te = mqar(n_samples=n_eval, generator=torch.Generator().manual_seed(99_000 + seed), **task)
    model.eval()
    with torch.no_grad():
        pred = model(te.inputs.to(device))[0].argmax(-1).cpu()
    acc = float((pred[te.mask] == te.targets[te.mask]).float().mean())
    return {"kind": kind, "seed": seed, "acc": acc, "train_loss": hist.final_loss,
            "model": model, "history": hist}


def extrapolation_buckets(model: TinyLM, data: torch.Tensor, *, seq_len: int,
                          edges: Sequence[int], n_windows: int = 16) -> list[float]:
    """Mean loss per position bucket on ``n_windows`` contiguous windows of ``seq_len``."""
    batches = eval_batches(data, seq_len=seq_len, batch_size=n_windows, max_windows=n_windows)
    x, y = batches[0]
    dev = next(model.parameters()).device
    return position_bucket_loss(model, x.to(dev), y.to(dev), list(edges))


def exactness(*, dtype: torch.dtype, T: int, seed: int = 0, B: int = 2, H: int = 2,
              d_k: int = 16, d_v: int = 32, forms: Sequence[dict] = ()) -> dict[str, float]:
    """Max |Δo| and max |Δ grad| (q, k, v, log α) of each form against the recurrent one."""
    g = torch.Generator().manual_seed(seed)
    q, k = (torch.randn(B, H, T, d_k, generator=g, dtype=dtype) for _ in range(2))
    v = torch.randn(B, H, T, d_v, generator=g, dtype=dtype)
    la = F.logsigmoid(torch.randn(B, H, T, d_k, generator=g, dtype=dtype)) / 16
    w = torch.randn(B, H, T, d_v, generator=g, dtype=dtype)

    def run(kw):
        xs = [t.clone().requires_grad_(True) for t in (q, k, v, la)]
        o = gated_linear_attention(*xs, **kw)
        (o * w).sum().backward()
        return o.detach(), [t.grad for t in xs]

    o0, g0 = run(dict(mode="recurrent"))
    out = {}
    for kw in forms:
        o, gr = run(kw)
        name = "/".join(f"{a}={b}" for a, b in kw.items())
        out[name + ":out"] = float((o - o0).abs().max())
        out[name + ":grad"] = max(float((a - b).abs().max()) for a, b in zip(gr, g0))
        out[name + ":grad_log_alpha"] = float((gr[3] - g0[3]).abs().max())
    return out
