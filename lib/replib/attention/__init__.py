"""Token mixers (softmax, gated, linear, memory, relational, set) and head analysis (design.md 2.5)."""
