"""The pluggable LLM harness: backends, agents, prompts, judges (design.md 2.16)."""
