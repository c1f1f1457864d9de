"""Experiment loops of the GAM chapter (Acharya 2025, Tables 1-3, Sec. 3).

All models share the host of the paper's ``gam_model.py``: token + learned absolute
position embeddings, ``n_layers`` pre-norm blocks with LayerNorm and a 4x GELU FFN, final
LayerNorm, tied head (``nets.lm.TinyLM``). Only the token mixer changes (``MODELS``):
``"transformer"`` (causal softmax attention, ``attention.mha``), ``"gam"`` (gated fusion),
``"gam-sum"``, ``"gam-local"``, ``"gam-global"`` (Table 3 ablations, ``attention.gam``),
``"gla"`` (``attention.gla``) and ``"mamba"`` (``attention.ssm``). Mamba blocks have no FFN:
the paper's ``benchmark.py`` stacks bare ``mamba_ssm.Mamba`` layers (as Gu & Dao's Mamba LM
does; the in-projection's expansion takes the FFN's place); here each is wrapped in the
standard pre-norm residual block, which the paper's stack lacks.

Loops: ``train_lm`` (char-level LM: loss/ppl on the whole held-out stream, median step
time), ``recall_probe`` (associative recall with the queried pair inside ("near") or outside
("far") GAM's receptive field; accuracy per split) and ``block_sweep`` (one block's fwd+bwd
time and memory vs T, via ``book.bench``). References that need no training:
``ngram_loss`` (count-based unigram/bigram loss on the held-out stream) and
``copy_previous_accuracy`` (the recall probe answered by copying the previous token).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from replib.attention.gam import GAM
from replib.attention.gla import GLA
from replib.attention.gla_experiment import fit_char_lm
from replib.attention.mha import MultiHeadAttention
from replib.attention.ssm import Mamba
from replib.book.bench import Sweep, length_sweep
from replib.book.train import fit
from replib.data.synthetic_seq import associative_recall
from replib.data.text import CharCorpus
from replib.nets.blocks import Block
from replib.nets.lm import TinyLM, lm_loss

__all__ = ["MODELS", "mixer", "build_lm", "train_lm", "recall_probe", "block_sweep",
           "ngram_loss", "copy_previous_accuracy"]

MODELS = ("transformer", "gam", "gam-sum", "gam-local", "gam-global", "gla", "mamba")


def mixer(kind: str, *, d_model: int, n_heads: int, mem_slots: int, conv_kernel: int,
          backend: str = "sdpa") -> torch.nn.Module:
    """One token mixer of ``MODELS``."""
    if kind not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {kind!r}")
    if kind == "transformer":
        return MultiHeadAttention(d_model, n_heads, backend=backend, track_first_token=False)
    if kind == "gla":
        return GLA(d_model=d_model, n_heads=n_heads, chunk=64, subchunk=64)
    if kind == "mamba":  # the paper's baseline: mamba_ssm.Mamba(d_state=16, d_conv=4, expand=3)
        return Mamba(d_model=d_model, d_state=16, d_conv=4, expand=3, backend="auto")
    fusion = "gate" if kind == "gam" else kind.split("-")[1]
    return GAM(d_model=d_model, mem_slots=mem_slots, conv_kernel=conv_kernel, fusion=fusion)


def build_lm(kind: str, *, vocab_size: int, d_model: int, n_layers: int, n_heads: int,
             mem_slots: int, conv_kernel: int, max_len: int, seed: int) -> TinyLM:
    """The paper's host with the chosen mixer, initialised from ``seed`` (Mamba: no FFN)."""
    torch.manual_seed(seed)
    return TinyLM(vocab_size=vocab_size, d_model=d_model, n_layers=n_layers,
                  ffn=None if kind == "mamba" else "gelu",
                  norm="layer", pos="learned", max_len=max_len,
                  mixer=lambda i: mixer(kind, d_model=d_model, n_heads=n_heads,
                                        mem_slots=mem_slots, conv_kernel=conv_kernel))


def _step(model, batch):
    logits, _ = model(batch[0])
    return lm_loss(logits, batch[1], batch[2] if len(batch) > 2 else None)


def train_lm(kind: str, *, corpus: CharCorpus, seed: int, steps: int, batch_size: int,
             seq_len: int, lr: float, device: str = "cpu", val_windows: int | None = None,
             **size) -> dict:
    """Train one char LM (``gla_experiment.fit_char_lm``, paper's weight decay 0.1); the
    validation loss covers every window of ``corpus.val`` unless ``val_windows`` caps it
    (a cap keeps only the start of the first held-out file)."""
    model = build_lm(kind, vocab_size=corpus.vocab_size, max_len=seq_len, seed=seed,
                     **size).to(device)
    out = fit_char_lm(model, corpus=corpus, seed=seed, steps=steps, batch_size=batch_size,
                      seq_len=seq_len, lr=lr, weight_decay=0.1, val_windows=val_windows,
                      device=device)
    return {"kind": kind, **out}


def recall_probe(kind: str, *, seed: int, steps: int, batch_size: int, n_pairs: int,
                 n_keys: int, far_gap: int, lr: float, device: str = "cpu",
                 n_eval: int = 512, **size) -> dict:
    """Train on a 50/50 near/far mix; answer accuracy on held-out near and far queries."""
    T = 2 * n_pairs + 2
    model = build_lm(kind, vocab_size=2 * n_keys, max_len=T, seed=seed, **size).to(device)
    g = torch.Generator().manual_seed(30_000 + seed)
    task = dict(n_keys=n_keys, n_values=n_keys, n_pairs=n_pairs, far_gap=far_gap)

    def batch(step):
        t = associative_recall(n_samples=batch_size, mode="mix", generator=g, **task)
        return t.inputs.to(device), t.targets.to(device), t.mask.to(device)

    fit(model, _step, batch, steps=steps, lr=lr, weight_decay=0.1,
        warmup_steps=max(1, steps // 20), grad_clip=1.0)
    out = {"kind": kind, "seed": seed, "model": model}
    model.eval()
    for mode in ("near", "far"):
        te = associative_recall(n_samples=n_eval, mode=mode, generator=torch.Generator()
                                .manual_seed(99_000 + seed), **task)
        with torch.no_grad():
            pred = model(te.inputs.to(device))[0].argmax(-1).cpu()
        out[mode] = float((pred[te.mask] == te.targets[te.mask]).float().mean())
    return out


def block_sweep(kind: str, *, lengths: Sequence[int], d_model: int, n_heads: int,
                mem_slots: int, conv_kernel: int, batch_size: int, repeats: int = 3,
                device: str = "cpu") -> Sweep:
    """Fwd+bwd time and memory of one block vs T (attention uses the naive explicit path)."""
    torch.manual_seed(0)
    blk = Block(d_model=d_model, norm="layer", ffn="gelu", mixer=mixer(
        kind, d_model=d_model, n_heads=n_heads, mem_slots=mem_slots,
        conv_kernel=conv_kernel, backend="explicit")).to(device)
    g = torch.Generator().manual_seed(0)
    return length_sweep(lambda T: [torch.randn(batch_size, T, d_model, generator=g)
                                   .to(device)], lambda xs: blk(xs[0])[0], lengths,
                        repeats=repeats)


def ngram_loss(corpus: CharCorpus, *, order: int, smoothing: float = 0.5) -> float:
    """Held-out loss (nats/char) of a count-based unigram (``order=1``) or bigram (``order=2``)
    model of ``corpus.train`` with add-``smoothing`` counts: what a model that uses no context
    (unigram) or only the current character (bigram) reaches."""
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order}")
    V, tr, va = corpus.vocab_size, corpus.train, corpus.val
    if order == 1:
        p = torch.bincount(tr, minlength=V).double() + smoothing
        return float(-(p / p.sum()).log()[va[1:]].mean())
    c = torch.full((V, V), smoothing, dtype=torch.float64)
    c.index_put_((tr[:-1], tr[1:]), torch.ones(tr.numel() - 1, dtype=torch.float64),
                 accumulate=True)
    return float(-(c / c.sum(1, keepdim=True)).log()[va[:-1], va[1:]].mean())


def copy_previous_accuracy(*, seed: int, n_pairs: int, n_keys: int, far_gap: int,
                           n_eval: int = 512) -> dict[str, float]:
    """``recall_probe``'s held-out near/far sets answered by copying the token before the
    query (no key matching): near queries ask for the last pair, whose value is that token."""
    task = dict(n_keys=n_keys, n_values=n_keys, n_pairs=n_pairs, far_gap=far_gap)
    out = {}
    for mode in ("near", "far"):
        te = associative_recall(n_samples=n_eval, mode=mode, generator=torch.Generator()
                                .manual_seed(99_000 + seed), **task)
        pred = torch.roll(te.inputs, 1, dims=1)
        out[mode] = float((pred[te.mask] == te.targets[te.mask]).float().mean())
    return out
