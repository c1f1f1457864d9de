"""Offline datasets and procedural task generators (design.md 2.3)."""
