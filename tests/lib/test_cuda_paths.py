"""The sequence library is device-agnostic: on a GPU every mixer gives the CPU's numbers.

Skipped without CUDA (as in CI); on a reader's or a maintainer's GPU, ``pytest
tests/lib/test_cuda_paths.py`` checks that each token mixer the chapters train (gated softmax
attention at every gate position, GLA, GAM and its ablations, Mamba, the NiNformer/ViT
classifier) computes the same loss and gradients on CUDA as on the CPU, and that
``mamba_ssm``'s fused scan (when installed) equals the project's scan. Tolerances allow for
TF32 convolutions and reordered reductions, not for a different function.
"""

import copy
import importlib.util

import pytest
import torch

from replib.attention.gam import FUSIONS, GAM
from replib.attention.gla import GATES, GLA
from replib.attention.mha import GATE_POSITIONS, MultiHeadAttention
from replib.attention.ssm import Mamba, selective_scan
from replib.nets.lm import TinyLM
from replib.nets.vit import MIXERS, ViTClassifier

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

D, VOCAB, T = 32, 50, 40


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.float().cpu(), b.float().cpu()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-12))


def _same_on_cuda(model: torch.nn.Module, x: torch.Tensor, loss_fn, tol: float = 2e-3):
    gpu = copy.deepcopy(model).cuda()
    losses, grads = [], []
    for m, xx in ((model, x), (gpu, x.cuda())):
        loss = loss_fn(m(xx))
        m.zero_grad()
        loss.backward()
        losses.append(loss.detach())
        grads.append([p.grad.detach() for p in m.parameters() if p.grad is not None])
    assert _rel(losses[1], losses[0]) < tol
    assert len(grads[0]) == len(grads[1]) > 0
    for g_gpu, g_cpu in zip(grads[1], grads[0]):
        assert _rel(g_gpu, g_cpu) < 10 * tol


def _lm(mixer):
    torch.manual_seed(0)
    return TinyLM(vocab_size=VOCAB, d_model=D, n_layers=2, mixer=mixer, pos="none")


def _lm_loss(out):
    logits = out[0]
    return torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1),
                                             _TOKENS.to(logits.device)[:, 1:].flatten())


_TOKENS = torch.randint(0, VOCAB, (3, T), generator=torch.Generator().manual_seed(1))

_MIXERS = (
    [(f"mha-{g}", lambda i, g=g: MultiHeadAttention(D, 4, gate_pos=g)) for g in GATE_POSITIONS]
    + [(f"gla-{g}", lambda i, g=g: GLA(d_model=D, n_heads=2, gate=g, chunk=16)) for g in GATES]
    + [(f"gam-{f}", lambda i, f=f: GAM(d_model=D, mem_slots=16, fusion=f)) for f in FUSIONS]
    + [("mamba-chunked", lambda i: Mamba(d_model=D, backend="torch"))]
)


@pytest.mark.parametrize("name,mixer", _MIXERS, ids=[n for n, _ in _MIXERS])
def test_language_model_mixer_same_loss_and_gradients_on_cuda(name, mixer):
    _same_on_cuda(_lm(mixer), _TOKENS, _lm_loss)


@pytest.mark.parametrize("mixer", MIXERS)
def test_vit_classifier_same_on_cuda(mixer):
    torch.manual_seed(0)
    m = ViTClassifier(input_shape=(1, 8, 8), n_classes=10, patch=2, d_model=D, d_ff=64,
                      n_layers=2, mixer=mixer)
    x = torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    y = torch.arange(4)
    _same_on_cuda(m, x, lambda logits: torch.nn.functional.cross_entropy(
        logits, y.to(logits.device)))


@pytest.mark.skipif(importlib.util.find_spec("mamba_ssm") is None, reason="needs mamba_ssm")
def test_mamba_ssm_kernel_equals_the_project_scan():
    g = torch.Generator(device="cuda").manual_seed(0)
    b, t, d, n = 2, 100, 16, 8
    u = torch.randn(b, t, d, generator=g, device="cuda")
    delta = torch.nn.functional.softplus(torch.randn(b, t, d, generator=g, device="cuda"))
    A = -torch.rand(d, n, generator=g, device="cuda") - 0.1
    B, C = (torch.randn(b, t, n, generator=g, device="cuda") for _ in range(2))
    Dv = torch.randn(d, generator=g, device="cuda")
    ref = selective_scan(u, delta, A, B, C, Dv, mode="sequential")
    for mode in ("chunked", "mamba_ssm"):
        assert _rel(selective_scan(u, delta, A, B, C, Dv, mode=mode), ref) < 2e-3
