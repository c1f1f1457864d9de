"""Batched environments with gymnasium/PettingZoo views (design.md 2.14)."""
