import copy

from replib.book.regression import compare, expected_from_records

PROV = {"slug": "demo", "profile": "ci", "git_commit": "abc", "replib_version": "0.1.0",
        "device": "cpu", "utc": "now", "seeds": [0, 1], "params": {"seeds": [0, 1]}}
METRICS = {"provenance": PROV, "metrics": {"clicks": {"value": 100.0, "rtol": 0.02, "atol": 0.0},
                                           "err": {"value": 1e-12, "rtol": 1e-6, "atol": 1e-9}}}
VERDICTS = {"claims": [{"id": "C1", "verdict": "reproduced"}]}


def test_identical_run_has_no_problems():
    exp = expected_from_records(METRICS, VERDICTS)
    assert compare(exp, METRICS, VERDICTS) == []


def test_drift_within_tolerance_passes_and_past_it_names_both_values():
    exp = expected_from_records(METRICS, VERDICTS)
    m = copy.deepcopy(METRICS)
    m["metrics"]["clicks"]["value"] = 101.5
    assert compare(exp, m, VERDICTS) == []
    m["metrics"]["clicks"]["value"] = 103.0
    (p,) = compare(exp, m, VERDICTS)
    assert "'clicks' = 103" in p and "expected 100 ± 2" in p


def test_changed_missing_and_new_entries_are_reported():
    exp = expected_from_records(METRICS, VERDICTS)
    m = copy.deepcopy(METRICS)
    del m["metrics"]["err"]
    m["metrics"]["extra"] = {"value": 1.0, "rtol": 0, "atol": 0}
    v = {"claims": [{"id": "C1", "verdict": "inconclusive"}, {"id": "C9", "verdict": "reproduced"}]}
    problems = "\n".join(compare(exp, m, v))
    assert "'err' was not recorded" in problems
    assert "'extra' = 1 is new" in problems
    assert "'C1' verdict changed: 'inconclusive', expected 'reproduced'" in problems
    assert "'C9' is new" in problems


def test_other_parameters_or_profile_are_flagged():
    exp = expected_from_records(METRICS, VERDICTS)
    m = copy.deepcopy(METRICS)
    m["provenance"]["params"] = {"seeds": [41, 42]}
    assert "recorded with" in compare(exp, m, VERDICTS)[0]
    m["provenance"]["profile"] = "full"
    assert "profile 'full'" in compare(exp, m, VERDICTS)[0]


def test_native_run_against_a_pinned_baseline_is_flagged():
    pinned = copy.deepcopy(METRICS)
    pinned["provenance"].update(numerics="pinned", cpu="Some CPU")
    exp = expected_from_records(pinned, VERDICTS)
    assert exp["recorded_from"]["numerics"] == "pinned"
    assert compare(exp, pinned, VERDICTS) == []
    native = copy.deepcopy(pinned)
    native["provenance"]["numerics"] = "native"
    (p,) = compare(exp, native, VERDICTS)
    assert "native CPU numerics" in p and "pinned" in p
