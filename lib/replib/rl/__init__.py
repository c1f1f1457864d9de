"""Policy optimisation and self-play: rollouts, PPO/A2C, GRPO, opponent pools (design.md 2.11)."""
