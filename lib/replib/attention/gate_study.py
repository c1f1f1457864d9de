"""Experiment drivers of the gated-attention chapter (Qiu et al. 2025, Tables 1-4).

Named gate variants of :class:`replib.attention.mha.MultiHeadAttention` (the paper's rows),
a tiny LM built around one of them (``nets.lm.TinyLM``), and the probes the paper reports
on a trained model: first-token attention per layer and head (F-Attn), max activation of
each layer's output (M-Act, via ``nets.hooks``), gate scores and their histogram, and one
attention map per layer. Two training drivers: Bigram-Backcopy (a synthetic task with
dormant heads, Guo et al. 2024) and a character LM on ``data.text``; both use
``book.train.fit`` (AdamW, warm-up + cosine, clipping, loss-spike counter).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import torch

from replib.attention.diagnostics import (
    first_token_attention,
    gate_histogram,
    head_first_token_attention,
    max_activation,
)
from replib.attention.mha import MultiHeadAttention
from replib.book.train import fit
from replib.nets.hooks import capture
from replib.nets.lm import TinyLM, lm_loss

__all__ = ["VARIANTS", "variant_kwargs", "build_lm", "attention_layers", "probe",
           "train_backcopy", "train_charlm", "run_job", "run_jobs"]

VARIANTS: Mapping[str, dict] = {
    "baseline": dict(gate_pos="none"),
    "G1-elementwise": dict(gate_pos="G1", granularity="elementwise"),
    "G1-headwise": dict(gate_pos="G1", granularity="headwise"),
    "G1-shared": dict(gate_pos="G1", granularity="shared"),
    "G2-elementwise": dict(gate_pos="G2", granularity="elementwise"),
    "G3-elementwise": dict(gate_pos="G3", granularity="elementwise"),
    "G4-elementwise": dict(gate_pos="G4", granularity="elementwise"),
    "G5": dict(gate_pos="G5", granularity="elementwise"),
    "G1-ns_sigmoid": dict(gate_pos="G1", gate_act="ns_sigmoid"),
    "G1-input_independent": dict(gate_pos="G1", input_independent=True),
    "G1-silu": dict(gate_pos="G1", gate_act="silu"),
    "G1-additive_silu": dict(gate_pos="G1", gate_act="silu", gate_mode="additive"),
    "G1-rmsnorm": dict(g1_nonlin="rmsnorm"),
    "G1-param_free_silu": dict(g1_nonlin="silu"),
}


def variant_kwargs(name: str) -> dict:
    """MultiHeadAttention keyword arguments of a named variant (one-line error otherwise)."""
    if name not in VARIANTS:
        raise ValueError(f"variant={name!r} is not allowed: expected one of {list(VARIANTS)}")
    return dict(VARIANTS[name])


def build_lm(variant: str, *, vocab_size: int, d_model: int, n_layers: int, n_heads: int,
             max_len: int, ffn: str = "gelu", pos: str = "learned",
             backend: str = "sdpa") -> TinyLM:
    """TinyLM whose every layer is the named attention variant."""
    kw = variant_kwargs(variant)
    return TinyLM(vocab_size=vocab_size, d_model=d_model, n_layers=n_layers, ffn=ffn,
                  d_ff=4 * d_model, pos=pos, max_len=max_len,
                  mixer=lambda i: MultiHeadAttention(d_model, n_heads, backend=backend,
                                                     track_first_token=False, **kw))


def attention_layers(model: torch.nn.Module) -> list[MultiHeadAttention]:
    """The model's attention modules in layer order."""
    return [m for m in model.modules() if isinstance(m, MultiHeadAttention)]


@torch.no_grad()
def probe(model: TinyLM, x: torch.Tensor, *, query_mask: torch.Tensor | None = None,
          map_index: int = 0, bins: int = 20) -> dict:
    """The paper's probes on inputs ``x`` (batch, T): F-Attn, M-Act, gate scores, maps.

    Returns numpy arrays: ``f_attn`` (n_layers,), ``f_attn_heads`` (n_layers, n_heads),
    ``f_attn_masked`` (with ``query_mask``), ``m_act`` (n_layers,), ``gate_score`` (mean over
    layers, NaN without a gate), ``gate_hist`` (density over [0, 1]) and ``maps``
    (n_layers, n_heads, T, T) of sequence ``map_index``.
    """
    was = model.training
    model.eval()
    layers = attention_layers(model)
    for m in layers:
        m.return_maps = True
    names = [f"blocks.{i}" for i in range(len(model.blocks))]
    try:
        with capture(model, names) as hidden:
            _, diags = model(x)
    finally:
        for m in layers:
            m.return_maps = False
    model.train(was)
    out = {"f_attn": first_token_attention(diags),
           "f_attn_heads": head_first_token_attention(diags),
           "m_act": max_activation([hidden[n][0] for n in names]),
           "maps": np.stack([d.maps[map_index].float().cpu().numpy() for d in diags])}
    if query_mask is not None:
        out["f_attn_masked"] = first_token_attention(diags, query_mask=query_mask)
    gated = [d for d in diags if d.gate is not None]
    out["gate_score"] = (float(np.mean([float(d.gate.float().mean()) for d in gated]))
                         if gated else float("nan"))
    out["gate_hist"] = gate_histogram(gated, bins=bins)[0] if gated else None
    return out


def _seq_loss(model, batch):
    x, y = batch
    logits, _ = model(x)
    return lm_loss(logits, y)


def train_backcopy(variant: str, *, seed: int, train, test, d_model: int, n_layers: int,
                   n_heads: int, steps: int, lr: float, batch_size: int,
                   warmup_steps: int = 50, weight_decay: float = 0.1, device: str = "cpu",
                   progress: Callable | None = None) -> dict:
    """Train on a Bigram-Backcopy pool ``train`` (SeqTask) and probe on ``test``.

    Returns final-step metrics: copy accuracy, bigram (non-copy) loss, the probes, the
    spike count and the training curve.
    """
    torch.manual_seed(seed)
    V, T = int(train.extra["transition"].shape[0]), train.inputs.shape[1]
    model = build_lm(variant, vocab_size=V, d_model=d_model, n_layers=n_layers,
                     n_heads=n_heads, max_len=T).to(device)
    g = torch.Generator().manual_seed(10_000 + seed)
    n = train.inputs.shape[0]

    def batches(step):
        i = torch.randint(0, n, (batch_size,), generator=g)
        return train.inputs[i].to(device), train.targets[i].to(device)

    hist = fit(model, _seq_loss, batches, steps=steps, lr=lr, weight_decay=weight_decay,
               warmup_steps=min(warmup_steps, steps), tokens_per_batch=batch_size * T,
               progress=progress)
    model.eval()
    xt, yt, copy = (t.to(device) for t in (test.inputs, test.targets, test.mask))
    with torch.no_grad():
        logits, _ = model(xt)
    pred = logits.argmax(-1)
    ce = torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), yt.flatten(),
                                           reduction="none").view_as(yt)
    res = probe(model, xt, query_mask=~copy)
    res.update(variant=variant, seed=seed,
               copy_acc=float((pred[copy] == yt[copy]).float().mean()),
               bigram_loss=float(ce[~copy].mean()), n_spikes=hist.n_spikes,
               loss_curve=np.asarray(hist.loss), final_loss=hist.final_loss)
    return res


def train_charlm(variant: str, *, seed: int, corpus, d_model: int, n_layers: int,
                 n_heads: int, seq_len: int, steps: int, lr: float, batch_size: int,
                 val_windows: int | None = None, warmup_steps: int = 50,
                 weight_decay: float = 0.1,
                 probe_batch: int = 16, device: str = "cpu",
                 progress: Callable | None = None) -> dict:
    """Character LM on ``corpus`` (``data.text.CharCorpus``); validation loss and probes.

    Validation covers every window of ``corpus.val`` unless ``val_windows`` caps the count.

    A run counts as diverged when its final training loss is not finite or above the
    loss of a uniform guess (log vocab_size).
    """
    from replib.data.text import eval_batches, random_batch

    torch.manual_seed(seed)
    model = build_lm(variant, vocab_size=corpus.vocab_size, d_model=d_model,
                     n_layers=n_layers, n_heads=n_heads, max_len=seq_len).to(device)
    g = torch.Generator().manual_seed(20_000 + seed)
    hist = fit(model, _seq_loss,
               lambda s: tuple(t.to(device) for t in random_batch(
                   corpus.train, batch_size=batch_size, seq_len=seq_len, generator=g)),
               steps=steps, lr=lr, weight_decay=weight_decay,
               warmup_steps=min(warmup_steps, steps), tokens_per_batch=batch_size * seq_len,
               progress=progress)
    val = [(x.to(device), y.to(device)) for x, y in
           eval_batches(corpus.val, seq_len=seq_len, batch_size=64, max_windows=val_windows)]
    model.eval()
    tot, cnt = 0.0, 0
    with torch.no_grad():
        for x, y in val:
            logits, _ = model(x)
            tot += float(lm_loss(logits, y)) * y.numel()
            cnt += y.numel()
    val_loss = tot / cnt
    diverged = (not math.isfinite(hist.final_loss)
                or hist.final_loss > math.log(corpus.vocab_size))
    res = probe(model, val[0][0][:probe_batch])
    res.update(variant=variant, seed=seed, lr=lr, n_layers=n_layers, val_loss=val_loss,
               diverged=bool(diverged or not math.isfinite(val_loss)),
               n_spikes=hist.n_spikes, loss_curve=np.asarray(hist.loss),
               final_loss=hist.final_loss, tokens_per_s=hist.tokens_per_s)
    return res


def run_job(job: dict) -> dict:
    """One training run from a plain dict (picklable, for worker processes).

    ``job["exp"]`` is ``"bb"`` (keys: variant, seed, lr, steps, batch_size, bb_vocab, bb_len,
    bb_triggers, bb_train, bb_test, d_model, n_layers, n_heads) or ``"lm"`` (variant, seed,
    lr, steps, batch_size, seq_len, d_model, n_layers, n_heads; optional corpus, a
    ``data.text.CharCorpus``, default the stdlib corpus). Bigram-Backcopy data are
    drawn from ``seed`` so every variant of a seed sees the same task.
    """
    torch.set_num_threads(1)
    j = dict(job)
    exp = j.pop("exp")
    size = {k: j.pop(k) for k in ("d_model", "n_layers", "n_heads")}
    if exp == "bb":
        from replib.data.synthetic_seq import bigram_backcopy

        g = torch.Generator().manual_seed(j["seed"])
        kw = dict(vocab_size=j.pop("bb_vocab"), seq_len=j.pop("bb_len"),
                  n_triggers=j.pop("bb_triggers"), generator=g)
        train = bigram_backcopy(n_samples=j.pop("bb_train"), **kw)
        test = bigram_backcopy(n_samples=j.pop("bb_test"), transition=train.extra["transition"],
                               **kw)
        out = train_backcopy(j.pop("variant"), train=train, test=test, **size, **j)
    elif exp == "lm":
        from replib.data.text import load_corpus

        corpus = j.pop("corpus", None) or load_corpus()
        out = train_charlm(j.pop("variant"), corpus=corpus, **size, **j)
    else:
        raise ValueError(f"exp={exp!r} is not allowed: expected 'bb' or 'lm'")
    out["exp"] = exp
    return out


def run_jobs(jobs: list[dict], *, workers: int = 1,
             progress: Callable | None = None) -> list[dict]:
    """:func:`run_job` for every job, in order; ``workers > 1`` uses spawned processes
    (each run is seeded on its own, so results do not depend on scheduling)."""
    from replib.book.parallel import map_runs

    return map_runs(run_job, jobs, workers=workers, progress=progress)
