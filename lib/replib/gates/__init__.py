"""Gate primitives and gradients through discrete choices (design.md 2.4)."""
