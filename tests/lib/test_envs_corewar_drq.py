"""DRQ loop: lockstep runs are independent, determinism, unparseable counting, LLM operator."""

import numpy as np

from replib.envs.corewar.drq import bc_cell, run_drq, versus_matrix
from replib.envs.corewar.warriors import GeneticOperator, classic
from replib.llm.prompts.digital_red_queen import LLMOperator, extract_redcode

KW = dict(n_rounds=2, n_iters=4, n_init=4, sample_new=0.1, fitness_threshold=99.0,
          last_k=2, batch=4, battle_rounds=2, core_size=200, cycles=60, max_procs=50,
          max_len=10, min_dist=10)


def drq(seeds, operator=None):
    rngs = [np.random.default_rng([s, 0]) for s in seeds]
    ops = operator or [GeneticOperator(core_size=200, max_len=10, rng=r) for r in rngs]
    return run_drq(operators=ops, initial_opponents=[classic("imp")], rngs=rngs, **KW)


def test_lockstep_runs_do_not_depend_on_each_other():
    both, alone = drq([0, 1]), drq([1])
    assert np.allclose(both.fitness[1], alone.fitness[0])
    assert all(np.array_equal(a.code, b.code)
               for a, b in zip(both.champions[1], alone.champions[0]))
    assert both.grids.shape == (2, 2, 6, 6) and (both.evaluated == 8).all()


def test_bc_cell_scaling_and_versus_matrix_shape():
    assert bc_cell(0, 0, core_size=8000, max_procs=8000) == (0, 0)
    assert bc_cell(5000, 5000, core_size=8000, max_procs=8000) == (4, 5)
    assert bc_cell(50, 49, core_size=800, max_procs=800) == (3, 2)
    f, t, m = versus_matrix([classic("imp"), classic("dwarf")], [classic("sitter")],
                            np.random.default_rng(0), battle_rounds=2, core_size=200,
                            cycles=50, max_procs=50, min_dist=10)
    assert f.shape == t.shape == m.shape == (2, 1)


class ScriptedBackend:
    """A software stand-in that returns fixed replies (never shown as a result)."""

    def __init__(self, replies):
        self.replies, self.prompts = list(replies), []

    def generate(self, messages, **kw):
        self.prompts.append(messages)
        return self.replies[len(self.prompts) % len(self.replies)]


def test_llm_operator_counts_unparseable_replies():
    good = "Here you go:\n```redcode\nMOV.I $0, $1\n```"
    bad = "I cannot write that program."
    be = ScriptedBackend([good, bad])
    op = LLMOperator(backend=be, core_size=200, cycles=60, max_len=10, max_procs=50)
    res = drq([0], operator=[op])
    assert res.unparseable.sum() > 0 and res.unparseable.sum() < res.evaluated.sum()
    assert "Redcode" in be.prompts[0][0]["content"]
    assert extract_redcode(good) == "MOV.I $0, $1\n"


def test_regression_rate_on_known_outcomes():
    from replib.envs.corewar import assemble
    from replib.envs.corewar.drq import regression_rate

    sim = dict(battle_rounds=2, core_size=200, cycles=60, max_procs=50, min_dist=10)
    imp, dat = classic("imp"), assemble("DAT 0, 0")
    rng = np.random.default_rng(0)
    # a lone DAT dies on its first step: a DAT champion after an Imp is a regression ...
    assert regression_rate([imp, imp, dat], rng, **sim) == 1.0
    # ... an Imp after DATs is not
    assert regression_rate([dat, dat, imp], rng, **sim) == 0.0
    assert np.isnan(regression_rate([imp, dat], rng, **sim))


def test_ties_are_ties_at_any_cycle_count():
    # an imp ties an imp: no regression and "defeated or tied" (share >= 1) at the full
    # profile's 2000 cycles too (a float running sum once scored it 0.99999999999995)
    imp = classic("imp")
    sim = dict(battle_rounds=2, core_size=200, cycles=2000, max_procs=50, min_dist=10)
    from replib.envs.corewar.drq import regression_rate
    assert regression_rate([imp, imp, imp], np.random.default_rng(0), **sim) == 0.0
    f, _, _ = versus_matrix([imp], [imp], np.random.default_rng(0), **sim)
    assert (f >= 1.0).all()
