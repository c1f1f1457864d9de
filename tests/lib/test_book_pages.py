import json

from replib.book.pages import scorecard_markdown, status_markdown


def test_scorecard_lists_every_claim_with_its_verdict(tmp_path):
    rec = {"provenance": {"profile": "ci", "seeds": [0, 1, 2]},
           "claims": [{"id": "C1", "statement": "RLB beats Lin", "ours": "0.1 ± 0.02 (n=3)",
                       "unit": "", "paper": "+5.9%", "where": "Fig. 4", "rule": "mean >= 0.05",
                       "verdict": "reproduced", "reason": "CI inside"},
                      {"id": "C2", "statement": "a | pipe", "ours": "1 (n=1)", "unit": "",
                       "paper": "p", "where": "w", "rule": "r", "verdict": "inconclusive",
                       "reason": "no interval", "note": "holds by construction"}]}
    (tmp_path / "rtb.verdicts.json").write_text(json.dumps(rec))
    md = scorecard_markdown(["rtb", "gone"], tmp_path)
    assert "**2 claims:** 1 reproduced · 0 not reproduced at this scale · 1 inconclusive" in md
    assert "[rtb](chapters/rtb.ipynb)" in md and "a \\| pipe" in md
    assert "No verdicts recorded for: gone" in md
    assert md.count("note: ") == 1 and "<small>note: holds by construction</small>" in md


def test_status_page_shows_times_and_failures(tmp_path):
    report = {"profile": "ci", "budget_s": 60, "jobs": 2, "threads": 1, "cores": 2,
              "last_total_wall_s": 40, "git_commit": "abc",
              "chapters": {"rtb": {"ok": True, "wall_s": 33.2, "peak_rss_mb": 500,
                                   "verdicts": {"R": 3, "NR": 1, "I": 1}},
                           "gla": {"ok": False, "wall_s": 61, "error": "exceeded the ci budget"}}}
    md = status_markdown(["rtb", "gla"], tmp_path, report)
    assert "| 33.2 | 60 | 500 | 3 / 1 / 1 |" in md and "FAIL: exceeded the ci budget" in md
