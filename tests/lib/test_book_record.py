import json

import numpy as np
import pytest

from replib.book.record import record, record_many, stamp
from replib.book.setup import setup

SCALES = {"ci": {"seeds": [0, 1], "T": 5}, "full": {"seeds": [0], "T": 50}}


def test_metrics_carry_their_tolerance_and_reject_bad_values():
    run = setup("r", "ci", scales=SCALES)
    assert record(run, "clicks", np.int64(12), rtol=0.01) == 12.0
    record_many(run, {"a": 1.5, "b": np.float32(2.0)})
    assert run.metrics["clicks"] == {"value": 12.0, "rtol": 0.01, "atol": 1e-9}
    assert set(run.metrics) == {"clicks", "a", "b"}
    with pytest.raises(ValueError, match="not finite"):
        record(run, "x", float("nan"))
    with pytest.raises(TypeError, match="real number"):
        record(run, "x", "12")
    with pytest.raises(TypeError, match="real number"):
        record(run, "x", True)


def test_stamp_writes_metrics_with_provenance_and_renders(metrics_dir, monkeypatch):
    monkeypatch.setenv("GG_GIT_COMMIT", "0123456789abcdef")
    run = setup("demo", "ci", scales=SCALES, overrides={"T": 7})
    record(run, "answer", 42)
    s = stamp(run)
    rec = json.loads((metrics_dir / "demo.metrics.json").read_text())
    prov = rec["provenance"]
    assert rec["metrics"]["answer"]["value"] == 42.0
    assert prov["git_commit"] == "0123456789abcdef" and prov["params"] == {"seeds": [0, 1], "T": 7}
    assert prov["profile"] == "ci" and prov["device"].startswith("cpu")
    assert {"python", "numpy", "torch"} <= set(prov["packages"])
    md = s._repr_markdown_()
    assert md.startswith(":::{admonition} Provenance") and "`0123456789ab`" in md


def test_stamp_carries_extra_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_METRICS_DIR", str(tmp_path))
    from replib.book.record import stamp
    from replib.book.setup import setup

    run = setup("extra-demo", "ci", scales={"ci": {"seeds": [0]}, "full": {"seeds": [0]}})
    st = stamp(run, extra={"llm_model": "none (offline half only)"})
    saved = json.loads((tmp_path / "extra-demo.metrics.json").read_text())
    assert saved["provenance"]["extra"] == {"llm_model": "none (offline half only)"}
    assert "llm_model: none (offline half only)" in st._repr_markdown_()
