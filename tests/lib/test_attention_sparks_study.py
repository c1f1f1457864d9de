"""attention.sparks_study: the SFT / GRPO / attribution pipeline runs end to end (tiny)."""

import torch

from replib.attention import sparks_study as S
from replib.data.arithmetic import TOK, sample_chains


def test_pipeline_smoke():
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    m = S.build_model(d_model=16, n_layers=1, n_heads=2)
    ck = S.sft(m, steps=4, ks=[2, 3], fmt="think", lr=1e-3, batch_size=8, generator=g,
               checkpoint_every=2)
    assert len(ck) == 2
    ch = sample_chains(8, k=3, generator=g)
    assert 0.0 <= S.accuracy(m, ch) <= 1.0
    assert 0.0 <= S.accuracy(m, ch, mode="direct") <= 1.0
    ck2, rew = S.grpo_train(m, steps=2, ks=[2], group=4, prompts=2, lr=1e-3, clip_eps=0.2,
                            kl_coef=0.02, temperature=1.0, generator=g, checkpoint_every=1)
    assert len(ck2) == 2 and rew.shape == (2,)
    att = S.attribute(m, ch, generator=g, ig_steps=2)
    assert att.scores.shape == (1, 2)


def test_trace_batch_masks_completion_and_eos_mask():
    ch = sample_chains(3, k=2, generator=torch.Generator().manual_seed(1))
    x, y, mask = S.trace_batch(ch, fmt="direct")
    assert mask.sum(1).tolist() == [3, 3, 3] and bool((y[mask].view(3, 3)[:, 0] == TOK["="]).all())
    comp = torch.tensor([[TOK["="], 3, TOK["<eos>"], 5], [1, 2, 3, 4]])
    assert S._completion_mask(comp).tolist() == [[True, True, True, False], [True] * 4]


def test_run_seed_tiny():
    from replib.attention.sparks_pipeline import run_seeds
    cfg = dict(seed=0, modulus=5, d_model=16, n_layers=1, n_heads=2, easy_k=2, hard_k=3,
               base_steps=3, sft_steps=4, sft_every=2, warm_steps=2, grpo_steps=2, grpo_every=1,
               grpo_group=2, grpo_prompts=2, grpo_lr=1e-3, kl_coef=0.02, clip_eps=0.2,
               onoff_steps=2, lr=1e-3, batch_size=8, circuit_mass=0.8, ig_steps=2,
               amplify=1.5, n_attr=8, n_eval=8, n_random=2)
    r = run_seeds([cfg])[0]
    assert r["sft_scores"].shape == (2, 1, 2) and len(r["grpo_circ"]) == 2
    assert len(r["rewards"]) == 2 and 0 <= r["acc_on"] <= 1
