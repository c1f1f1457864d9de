"""Random graphs, online algorithms, LP wrappers, quality-diversity search (design.md 2.18)."""
