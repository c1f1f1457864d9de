"""Ratings, pairings, contests and aggregation of many agents' outputs (design.md 2.13)."""
