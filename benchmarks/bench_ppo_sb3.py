"""Train replib's PPO and stable-baselines3's PPO on the same gymnasium task, same budget.

Schulman et al. (2017) PPO; ``replib.rl.ppo`` against SB3 2.x (the reference
implementation the book trusts). Both learners get the same hyper-parameters (rl-zoo's
CartPole-v1 set by default: 8 envs, 32 steps per env per update, one 256-sample minibatch,
20 epochs, γ = 0.98, λ = 0.8, lr 1e-3, clip 0.2, 64-64 tanh actor and critic), the same
number of env steps, and one thread. The script prints each learner's final greedy return
(mean over evaluation episodes), training steps per second, and their ratio.

    python benchmarks/bench_ppo_sb3.py [--env-id CartPole-v1 --steps 100000 --seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from replib.envs.api import GymnasiumBatch
from replib.rl.ppo import PPO, MLPPolicy


def evaluate(act, env_id: str, episodes: int, seed: int) -> float:
    import gymnasium

    env = gymnasium.make(env_id)
    total = 0.0
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed + 1000 + ep)
        done = False
        while not done:
            obs, r, term, trunc, _ = env.step(act(obs))
            total += r
            done = term or trunc
    return total / episodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-id", default="CartPole-v1")
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--n-envs", type=int, default=8)
    parser.add_argument("--rollout-len", type=int, default=32)
    parser.add_argument("--eval-episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    hp = dict(gamma=0.98, gae_lambda=0.8, lr=1e-3, clip=0.2, epochs=20, batch=256)
    per_update = args.n_envs * args.rollout_len
    updates = max(1, args.steps // per_update)
    steps = updates * per_update

    # replib PPO
    torch.manual_seed(args.seed)
    env = GymnasiumBatch(n_envs=args.n_envs, env_id=args.env_id)
    obs_dim = int(np.prod(env.spec.observation_space.shape))
    policy = MLPPolicy(obs_dim=obs_dim, n_actions=int(env.spec.action_space.n),
                       hidden_sizes=(64, 64))
    ppo = PPO(policy, lr=hp["lr"], gamma=hp["gamma"], gae_lambda=hp["gae_lambda"],
              clip_eps=hp["clip"], ent_coef=0.0, vf_coef=0.5, n_epochs=hp["epochs"],
              n_minibatches=max(1, per_update // hp["batch"]), rollout_len=args.rollout_len,
              grad_clip=0.5, adam_eps=1e-5)
    t0 = time.perf_counter()
    ppo.learn(env, updates=updates, seed=args.seed)
    t_ours = time.perf_counter() - t0

    def ours(obs):
        with torch.no_grad():
            return int(policy(torch.as_tensor(obs, dtype=torch.float32)).logits.argmax())

    ret_ours = evaluate(ours, args.env_id, args.eval_episodes, args.seed)

    # stable-baselines3 PPO, same settings
    from stable_baselines3 import PPO as SB3PPO
    from stable_baselines3.common.env_util import make_vec_env

    venv = make_vec_env(args.env_id, n_envs=args.n_envs, seed=args.seed)
    model = SB3PPO("MlpPolicy", venv, n_steps=args.rollout_len, batch_size=hp["batch"],
                   n_epochs=hp["epochs"], gamma=hp["gamma"], gae_lambda=hp["gae_lambda"],
                   learning_rate=hp["lr"], clip_range=hp["clip"], ent_coef=0.0, vf_coef=0.5,
                   max_grad_norm=0.5, seed=args.seed, device="cpu", verbose=0)
    t0 = time.perf_counter()
    model.learn(total_timesteps=steps)
    t_sb3 = time.perf_counter() - t0
    ret_sb3 = evaluate(lambda o: int(model.predict(o, deterministic=True)[0]), args.env_id,
                       args.eval_episodes, args.seed)

    print(f"task {args.env_id}, {steps} env steps each, {args.n_envs} envs, seed {args.seed}")
    print(f"replib PPO : final greedy return {ret_ours:8.1f}   {steps / t_ours:8.0f} steps/s")
    print(f"SB3 PPO    : final greedy return {ret_sb3:8.1f}   {steps / t_sb3:8.0f} steps/s")
    print(f"speed-up (replib / SB3 steps/s): {t_sb3 / t_ours:.2f}x")


if __name__ == "__main__":
    main()
