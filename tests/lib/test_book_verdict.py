import json

import numpy as np
import pytest

from replib.book import verdict as V
from replib.book.setup import setup

SCALES = {"ci": {"seeds": [0, 1, 2]}, "full": {"seeds": [0, 1, 2]}}


def judge(rule, values):
    run = setup("t", "ci", scales=SCALES)
    c = V.Claim("c", "s", "q", rule, paper="p", where="w")
    return V.check_claims(run, [c], {"c": values}, write=False, echo=False)[0]


def test_reproduced_when_the_whole_interval_satisfies_the_rule():
    assert judge(V.at_least(1.0), [2.0, 2.1, 1.9]).outcome == V.REPRODUCED


def test_a_claim_that_must_come_out_not_reproduced():
    v = judge(V.at_least(1.0), [0.1, 0.2, 0.15])
    assert v.outcome == V.NOT_REPRODUCED and "outside" in v.reason


def test_a_claim_that_must_come_out_inconclusive():
    # mean 1.03 is above the rule, but the 95% t-interval straddles 1.0
    v = judge(V.at_least(1.0), [0.5, 1.5, 1.1])
    assert v.outcome == V.INCONCLUSIVE and "straddles" in v.reason


def test_single_value_has_no_interval():
    assert judge(V.at_least(0.0), [1.0]).outcome == V.INCONCLUSIVE
    assert judge(V.at_least(0.0, on_ci=False), [1.0]).outcome == V.REPRODUCED
    assert judge(V.at_most(1e-9, on_ci=False), [1e-3]).outcome == V.NOT_REPRODUCED


def test_strict_and_two_sided_rules():
    assert judge(V.greater_than(0.0), [1.0, 1.0, 1.0]).outcome == V.REPRODUCED
    assert judge(V.less_than(0.0), [1.0, 1.1, 0.9]).outcome == V.NOT_REPRODUCED
    assert judge(V.within(0.9, 1.1), [1.0, 1.01, 0.99]).outcome == V.REPRODUCED
    assert judge(V.within(2.0, 3.0), [1.0, 1.01, 0.99]).outcome == V.NOT_REPRODUCED


def test_count_rules_are_exact():
    assert judge(V.k_of_n(above=0.0), [0.1, 0.2, 0.3]).outcome == V.REPRODUCED
    assert judge(V.k_of_n(above=0.0), [0.1, -0.2, 0.3]).outcome == V.NOT_REPRODUCED
    assert judge(V.k_of_n(k=2, above=0.0), [0.1, -0.2, 0.3]).outcome == V.REPRODUCED
    assert judge(V.k_of_n(k=2, below=0.0, strict=False), [0.0, -0.2, 0.3]).outcome == V.REPRODUCED
    with pytest.raises(ValueError):
        V.k_of_n(above=1.0, below=2.0)


def test_all_of_fails_if_any_part_fails():
    rule = V.all_of(V.k_of_n(above=0.0), V.at_least(0.05))
    assert judge(rule, [0.10, 0.11, 0.12]).outcome == V.REPRODUCED
    assert judge(rule, [0.10, -0.01, 0.12]).outcome == V.NOT_REPRODUCED
    assert judge(rule, [0.02, 0.11, 0.08]).outcome == V.INCONCLUSIVE
    assert "every seed > 0 and mean >= 0.05" == rule.text


def test_check_claims_writes_verdicts_with_provenance(metrics_dir):
    run = setup("demo", "ci", scales=SCALES)
    claims = [V.Claim("A", "x beats y", "gain", V.at_least(0.0), paper="+5.9%", where="Fig. 3")]
    report = V.check_claims(run, claims, {"A": [0.19, 0.2, 0.21]}, echo=False)
    rec = json.loads((metrics_dir / "demo.verdicts.json").read_text())
    assert rec["provenance"]["profile"] == "ci" and rec["provenance"]["seeds"] == [0, 1, 2]
    assert rec["claims"][0]["verdict"] == V.REPRODUCED
    assert np.isclose(rec["claims"][0]["summary"]["mean"], 0.2)
    table = str(report)
    assert "claim" in table.splitlines()[0] and "+5.9%" in table
    assert "reproduced" in report._repr_markdown_() and "note:" not in report._repr_markdown_()
    noted = V.check_claims(run, [V.Claim("B", "s", "q", V.at_least(0.0), paper="p", where="w",
                                         note="true by construction")],
                           {"B": [1.0, 1.0]}, echo=False, write=False)
    assert "<small>note: true by construction</small>" in noted._repr_markdown_()


def test_check_claims_refuses_missing_or_duplicate_measurements():
    run = setup("demo", "ci", scales=SCALES)
    c = V.Claim("A", "s", "q", V.at_least(0.0), paper="p", where="w")
    with pytest.raises(KeyError, match="no measurement"):
        V.check_claims(run, [c], {}, write=False)
    with pytest.raises(ValueError, match="unique"):
        V.check_claims(run, [c, c], {"A": [1.0]}, write=False)
