"""Payoffs, repeated play, classical strategies, equilibria (design.md 2.12)."""
