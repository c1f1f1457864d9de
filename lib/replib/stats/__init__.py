"""The statistics behind verdicts: seed summaries, confidence intervals, tests."""
