"""Token mixers (softmax, gated, linear, memory, relational, set) and head analysis.

See design.md 2.5.
"""
