"""A patch-token classifier for 1-D and 2-D inputs with a pluggable token mixer.

The host network of ViT (Dosovitskiy et al., 2021, Eq. 1–4): patch embedding
``z_0 = [x_p E] (+ E_pos)``, then ``n_layers`` pre-norm blocks, then CLS or mean pooling and a
linear head. The token mixer of each block is one of

* ``"attention"``: ViT, ``x + MHA(LN x)``, ``x + FFN(LN x)`` (Eq. 2–3);
* ``"mixer"``: MLP-Mixer, ``x + TokenMLP(LN x)``, ``x + ChannelMLP(LN x)``;
* ``"local"``: Local-ViT, attention and a FFN with a depthwise conv over the token grid;
* ``"ninformer"``: NiNformer (Abdullah & Aydin, 2025, Sec. 3), ``h = LN x``,
  ``x + MGU(h)`` with ``MGU(h) = (W h) ⊙ MixerBlock(h)``, then ``x + FFN(LN x)``; the official
  code uses one LayerNorm for both sub-layers (``shared_norm=True``).

Sub-layers are named (``blocks[i].norm1 / mix / norm2 / ffn``) so they can be swapped or hooked.
``fit_seeds`` trains one copy per seed of a small classifier in a single vectorised pass
(``torch.func.vmap`` over stacked parameters; Adam is element-wise, so each copy follows exactly
the trajectory it would follow alone). Attention is the book's one
``attention.mha.MultiHeadAttention`` (non-causal, SDPA backend).
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from replib.attention.mha import MultiHeadAttention
from replib.attention.mixing import ChannelMLP, LocalFFN, MixerGatingUnit, TokenMLP

__all__ = ["MIXERS", "POOLS", "PatchEmbed1d", "PatchEmbed2d", "VitBlock", "ViTClassifier",
           "count_params", "d_ff_for_budget", "SeedFit", "fit_seeds"]

MIXERS = ("attention", "mixer", "local", "ninformer")
POOLS = ("mean", "cls")


def _check(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed: expected one of {list(allowed)}")


class PatchEmbed2d(nn.Module):
    """Non-overlapping ``patch × patch`` patches → ``d_model`` (a stride-``patch`` conv).

    ``(B, C, H, W) -> (B, (H/p)(W/p), d_model)``, tokens in row-major grid order.
    """

    def __init__(self, *, in_channels: int, d_model: int, patch: int, image_size: Sequence[int]):
        super().__init__()
        h, w = (int(s) for s in image_size)
        if patch < 1 or h % patch or w % patch:
            raise ValueError(f"patch={patch!r} is not allowed: expected a positive divisor of "
                             f"the image size {h}x{w}")
        self.grid = (h // patch, w // patch)
        self.proj = nn.Conv2d(in_channels, d_model, patch, stride=patch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class PatchEmbed1d(nn.Module):
    """Non-overlapping length-``patch`` segments → ``d_model``: ``(B, C, L) -> (B, L/p, d)``."""

    def __init__(self, *, in_channels: int, d_model: int, patch: int, length: int):
        super().__init__()
        if patch < 1 or length % patch:
            raise ValueError(f"patch={patch!r} is not allowed: expected a positive divisor of "
                             f"the sequence length {length}")
        self.grid = (length // patch,)
        self.proj = nn.Conv1d(in_channels, d_model, patch, stride=patch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).transpose(1, 2)


class _Attention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, dropout: float):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads!r} is not allowed: expected a divisor of "
                             f"d_model={d_model}")
        self.attn = MultiHeadAttention(d_model, n_heads, causal=False, bias=True,
                                       track_first_token=False)
        self.drop = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.drop(self.attn(h)[0])


class VitBlock(nn.Module):
    """One pre-norm block; ``forward`` returns ``(x, diag)`` (an ``MGUDiag`` or ``None``)."""

    def __init__(self, *, mixer: str, n_tokens: int, grid: tuple[int, ...], d_model: int,
                 d_ff: int, n_heads: int = 4, dropout: float = 0.0, combine: str = "mul",
                 inner: str = "mixer", shared_norm: bool = True, kernel: int = 3):
        super().__init__()
        _check("mixer", mixer, MIXERS)
        self.kind = mixer
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = self.norm1 if (mixer == "ninformer" and shared_norm) else nn.LayerNorm(d_model)
        if mixer in ("attention", "local"):
            self.mix = _Attention(d_model, n_heads, dropout)
        elif mixer == "mixer":
            self.mix = TokenMLP(n_tokens=n_tokens, d_ff=d_ff, dropout=dropout)
        else:
            self.mix = MixerGatingUnit(n_tokens=n_tokens, d_model=d_model, d_ff=d_ff,
                                       dropout=dropout, combine=combine, inner=inner)
        if mixer == "local":
            self.ffn = LocalFFN(d_model=d_model, d_ff=d_ff, grid=grid, kernel=kernel,
                                dropout=dropout)
        else:
            self.ffn = ChannelMLP(d_model=d_model, d_ff=d_ff, dropout=dropout)

    def forward(self, x: torch.Tensor):
        diag = None
        if self.kind == "ninformer":
            y, diag = self.mix(self.norm1(x))  # x + u ⊙ MixerBlock(LN x)
        else:
            y = self.mix(self.norm1(x))
        x = x + y
        return x + self.ffn(self.norm2(x)), diag


class ViTClassifier(nn.Module):
    """Patch tokens → ``n_layers`` blocks of one mixer kind → pooled linear head.

    Args:
        input_shape: ``(C, H, W)`` for images or ``(C, L)`` for 1-D signals.
        mixer: one of ``MIXERS``. pool: ``"mean"`` or ``"cls"`` (a learned class token).
        pos_embed: learned absolute positions; default on for attention mixers (which are
            permutation-equivariant) and off for the MLP mixers (position-aware by design).
        combine, inner, shared_norm: NiNformer options (``MixerGatingUnit``, ``VitBlock``).
    """

    def __init__(self, *, input_shape: Sequence[int], n_classes: int, patch: int, d_model: int,
                 d_ff: int, n_layers: int, mixer: str = "attention", n_heads: int = 4,
                 dropout: float = 0.0, pool: str = "mean", pos_embed: bool | None = None,
                 combine: str = "mul", inner: str = "mixer", shared_norm: bool = True,
                 kernel: int = 3):
        super().__init__()
        _check("mixer", mixer, MIXERS)
        _check("pool", pool, POOLS)
        if len(input_shape) not in (2, 3):
            raise ValueError(f"input_shape={tuple(input_shape)!r} is not allowed: expected "
                             "(C, H, W) or (C, L)")
        for name, v in (("n_classes", n_classes), ("n_layers", n_layers)):
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"{name}={v!r} is not allowed: expected an integer >= 1")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout={dropout!r} is not allowed: expected 0 <= dropout < 1")
        if mixer in ("mixer", "ninformer") and pool == "cls":
            raise ValueError(f"pool='cls' is not allowed with mixer={mixer!r}: expected 'mean' "
                             "(a token MLP has a fixed token count)")
        c = int(input_shape[0])
        if len(input_shape) == 3:
            self.embed = PatchEmbed2d(in_channels=c, d_model=d_model, patch=patch,
                                      image_size=input_shape[1:])
        else:
            self.embed = PatchEmbed1d(in_channels=c, d_model=d_model, patch=patch,
                                      length=int(input_shape[1]))
        self.grid = self.embed.grid
        self.n_tokens = math.prod(self.grid)
        self.pool = pool
        self.mixer = mixer
        use_pos = mixer in ("attention", "local") if pos_embed is None else bool(pos_embed)
        n_pos = self.n_tokens + (pool == "cls")
        self.pos = nn.Parameter(torch.randn(1, n_pos, d_model) * 0.02) if use_pos else None
        self.cls = nn.Parameter(torch.zeros(1, 1, d_model)) if pool == "cls" else None
        self.blocks = nn.ModuleList(
            VitBlock(mixer=mixer, n_tokens=self.n_tokens, grid=self.grid, d_model=d_model,
                     d_ff=d_ff, n_heads=n_heads, dropout=dropout, combine=combine,
                     inner=inner, shared_norm=shared_norm, kernel=kernel)
            for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)

    def tokens(self, x: torch.Tensor) -> torch.Tensor:
        """Embedded tokens (with class token and positions when configured)."""
        z = self.embed(x)
        if self.cls is not None:
            z = torch.cat([self.cls.expand(z.shape[0], -1, -1), z], dim=1)
        return z if self.pos is None else z + self.pos

    def forward(self, x: torch.Tensor, *, return_diags: bool = False):
        """Logits ``(B, n_classes)``; with ``return_diags`` also the blocks' diags (list)."""
        z = self.tokens(x)
        diags = []
        for blk in self.blocks:
            z, d = blk(z)
            diags.append(d)
        z = self.norm(z)
        pooled = z[:, 0] if self.pool == "cls" else z.mean(dim=1)
        logits = self.head(pooled)
        return (logits, diags) if return_diags else logits


def count_params(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def d_ff_for_budget(budget: int, *, multiple: int = 8, **kwargs) -> int:
    """The hidden width ``d_ff`` (a multiple of ``multiple``) whose
    ``ViTClassifier(d_ff=..., **kwargs)`` has the parameter count closest to ``budget``.

    The count is affine in ``d_ff`` for every mixer, so two model builds give it exactly.
    Used to compare mixers at matched parameter counts.
    """
    if budget < 1 or multiple < 1:
        raise ValueError(f"budget={budget!r}, multiple={multiple!r} are not allowed: expected "
                         "positive integers")
    p1 = count_params(ViTClassifier(d_ff=multiple, **kwargs))
    p2 = count_params(ViTClassifier(d_ff=2 * multiple, **kwargs))
    slope = (p2 - p1) / multiple  # parameters per unit of d_ff
    k = max(1, round((budget - p1) / (slope * multiple)) + 1)
    return int(k * multiple)


@dataclass
class SeedFit:
    """One architecture trained once per seed: stacked parameters (leading seed axis)."""

    base: nn.Module  # parameter-free template (meta device)
    params: dict[str, torch.Tensor]
    buffers: dict[str, torch.Tensor]
    seeds: tuple[int, ...]
    losses: np.ndarray  # (n_seeds, steps) training loss per step

    def _call(self, p, b, x):
        return functional_call(self.base, (p, b), (x,))

    @torch.no_grad()
    def logits(self, x: torch.Tensor, *, batch_size: int = 1024) -> torch.Tensor:
        """Eval-mode logits of every seed's model, ``(n_seeds, N, n_classes)``."""
        self.base.eval()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*batching rule.*")
            out = [vmap(self._call, in_dims=(0, 0, None))(self.params, self.buffers,
                                                           x[i:i + batch_size])
                   for i in range(0, len(x), batch_size)]
        return torch.cat(out, dim=1)

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
        """Test accuracy per seed."""
        return (self.logits(x).argmax(-1) == y).double().mean(1).cpu().numpy()

    def model(self, i: int, build: Callable[[], nn.Module]) -> nn.Module:
        """Seed ``i``'s model as an ordinary module (eval mode) built by ``build``."""
        m = build()
        with torch.no_grad():
            for name, t in [*m.named_parameters(), *m.named_buffers()]:
                t.copy_({**self.params, **self.buffers}[name][i])
        return m.eval()


def fit_seeds(build: Callable[[], nn.Module], *, seeds: Sequence[int], x_train: torch.Tensor,
              y_train: torch.Tensor, epochs: int, batch_size: int, lr: float,
              progress: Callable | None = None) -> SeedFit:
    """Train ``build()`` once per seed with Adam on cross-entropy, all seeds in one pass.

    Seed ``s`` fixes both the initialisation (``torch.manual_seed(s)`` inside a forked RNG
    state, so the caller's global RNG is untouched) and the mini-batch order. Returns the
    stacked parameters; the result equals training each seed's model alone (tested).
    """
    for name, v in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(v, int) or v < 1:
            raise ValueError(f"{name}={v!r} is not allowed: expected an integer >= 1")
    if not seeds:
        raise ValueError("seeds=[] is not allowed: expected at least one seed")
    models = []
    for s in seeds:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(s))
            models.append(build().to(x_train.device))
    params, buffers = stack_module_state(models)
    params = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
    base = copy.deepcopy(models[0]).to("meta").train()
    fit = SeedFit(base, params, buffers, tuple(int(s) for s in seeds), np.zeros(0))
    opt = torch.optim.Adam(list(params.values()), lr=lr)
    gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
    n, n_seeds = len(y_train), len(seeds)
    step_fn = vmap(fit._call, randomness="different")
    losses = []
    epoch_iter = range(epochs) if progress is None else progress(range(epochs))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*batching rule.*")
        for _ in epoch_iter:
            base.train()
            perms = torch.stack([torch.randperm(n, generator=g) for g in gens])
            for i in range(0, n, batch_size):
                idx = perms[:, i:i + batch_size].to(x_train.device)  # (S, b)
                logits = step_fn(params, buffers, x_train[idx])  # (S, b, C)
                per_seed = nn.functional.cross_entropy(
                    logits.flatten(0, 1), y_train[idx].flatten(), reduction="none"
                ).view(n_seeds, -1).mean(1)
                opt.zero_grad(set_to_none=True)
                per_seed.sum().backward()  # seeds share no parameter: independent gradients
                opt.step()
                losses.append(per_seed.detach().cpu().numpy())
    fit.losses = np.stack(losses, axis=1)
    return fit
