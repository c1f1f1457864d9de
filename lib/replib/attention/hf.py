"""Per-head handles on Hugging Face decoder models (``full`` profile only).

The same intervention as ``attention.mha``'s ``head_scale`` (thinking-sparks, Park et al. 2025,
head ablation and amplification, Tables 1-5), installed on a ``transformers`` Qwen2/Qwen3/Llama
style model: the input of each layer's ``self_attn.o_proj`` is the concatenation of the heads'
outputs (n_heads × head_dim), so scaling its slice h scales head h. ``transformers`` is
imported only inside :func:`load_causal_lm`, which stops with a one-line message when the
package or the network is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import torch
from torch import nn

__all__ = ["load_causal_lm", "decoder_layers", "hf_head_scales", "head_ablation_effects"]


def load_causal_lm(name: str, *, device: str = "cuda", dtype=torch.bfloat16):
    """``(model, tokenizer)`` from the Hugging Face hub (needs ``transformers`` and internet)."""
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        raise ImportError("attention.hf needs the 'transformers' package: "
                          "pip install transformers") from e
    try:
        tok = AutoTokenizer.from_pretrained(name)
        model = AutoModelForCausalLM.from_pretrained(name, torch_dtype=dtype).to(device).eval()
    except OSError as e:
        raise OSError(f"could not load {name!r} from the Hugging Face hub (offline, or the "
                      f"name is wrong): {e}") from e
    return model, tok


def decoder_layers(model: nn.Module) -> list[nn.Module]:
    """The decoder layers (``model.model.layers``) of a Qwen/Llama-style causal LM."""
    inner = getattr(model, "model", model)
    layers = getattr(inner, "layers", None)
    if layers is None or not all(hasattr(layer, "self_attn") for layer in layers):
        raise ValueError("model has no model.layers[i].self_attn: expected a Qwen2/Qwen3/"
                         "Llama-style decoder")
    return list(layers)


def _n_heads(model: nn.Module) -> int:
    cfg = getattr(model, "config", None)
    n = getattr(cfg, "num_attention_heads", None)
    if n is None:
        raise ValueError("model.config.num_attention_heads is missing")
    return int(n)


@contextmanager
def hf_head_scales(model: nn.Module, scales: Mapping[tuple[int, int], float]
                   ) -> Iterator[None]:
    """Multiply head (layer, head)'s output by ``scales[(layer, head)]`` inside the block."""
    layers, n_heads = decoder_layers(model), _n_heads(model)
    per_layer: dict[int, dict[int, float]] = {}
    for (layer, head), s in scales.items():
        if not (0 <= layer < len(layers) and 0 <= head < n_heads):
            raise ValueError(f"head ({layer}, {head}) is not allowed: expected layer < "
                             f"{len(layers)} and head < {n_heads}")
        per_layer.setdefault(layer, {})[head] = float(s)
    handles = []
    for layer, hs in per_layer.items():
        def pre(mod, args, _hs=hs):
            x = args[0]
            shape = x.shape
            x = x.reshape(*shape[:-1], n_heads, shape[-1] // n_heads).clone()
            for h, s in _hs.items():
                x[..., h, :] = x[..., h, :] * s
            return (x.reshape(shape),) + tuple(args[1:])
        handles.append(layers[layer].self_attn.o_proj.register_forward_pre_hook(pre))
    try:
        yield
    finally:
        for h in handles:
            h.remove()


@torch.no_grad()
def head_ablation_effects(model: nn.Module, tokenizer, prompts: Sequence[str]
                          ) -> list[tuple[int, int, float]]:
    """KL(clean ‖ ablated) of the next-token distribution, averaged over prompts, for every
    single head zero-ablated; sorted, largest effect first."""
    dev = next(model.parameters()).device
    enc = [tokenizer(p, return_tensors="pt").to(dev) for p in prompts]

    def dists():
        return [torch.log_softmax(model(**e).logits[0, -1].float(), -1) for e in enc]

    clean = dists()
    out = []
    for layer in range(len(decoder_layers(model))):
        for head in range(_n_heads(model)):
            with hf_head_scales(model, {(layer, head): 0.0}):
                abl = dists()
            kl = sum(float((c.exp() * (c - a)).sum()) for c, a in zip(clean, abl)) / len(enc)
            out.append((layer, head, kl))
    return sorted(out, key=lambda t: -t[2])
