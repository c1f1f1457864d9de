"""Every chapter's ci records against its stored expected values (data/expected/)."""

import json

import pytest
from conftest import ROOT, require_build

from replib.book.regression import compare, load_records

CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb") if not p.stem.startswith("_"))
pytestmark = pytest.mark.build


def test_every_chapter_has_expected_ci_values():
    missing = [s for s in CHAPTERS if not (ROOT / "data" / "expected" / f"{s}.ci.json").exists()]
    assert not missing, f"record them deliberately: make expected NAME=<slug> for {missing}"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_ci_metrics_and_verdicts_match_expected(slug):
    metrics_dir = ROOT / "build" / "metrics"
    require_build(metrics_dir / f"{slug}.metrics.json", f"{slug} ci records")
    expected = json.loads((ROOT / "data" / "expected" / f"{slug}.ci.json").read_text())
    metrics, verdicts = load_records(metrics_dir, slug)
    problems = compare(expected, metrics, verdicts)
    assert not problems, "\n".join(problems)
