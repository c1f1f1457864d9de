"""Local Hugging Face ``transformers`` backend for a reader's GPU (full profile only).

Implements ``replib.llm.backend.Backend``. ``transformers`` is imported lazily, inside the
constructor; without it the error names ``pip install transformers`` and the profile that
needs it. ``choose(prompt, options)`` scores each option exactly as
``log p(option | prompt) = sum_t log p(option_t | prompt, option_<t)`` from one batched
forward pass (the card's "score ' J' vs ' F' by next-token log-probability", which is more
robust than sampling for small models); ``generate`` decodes greedily at temperature 0 and
samples otherwise (seeded by ``seed``). Message lists go through the tokenizer's chat
template when it has one. Replies are cached like the HTTP backend's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from replib.llm.backend import BaseBackend, Choice, Messages, Usage, as_messages, messages_to_prompt
from replib.llm.cache import RequestCache

__all__ = ["HFLocalBackend"]


@dataclass
class HFLocalBackend(BaseBackend):
    """A causal LM loaded with ``transformers`` (``AutoModelForCausalLM``).

    Args:
        model_id: a Hub id or local path (e.g. ``Qwen/Qwen2.5-0.5B-Instruct``).
        device: ``"cuda"``/``"cpu"``; default CUDA when available.
        dtype: ``"bfloat16"``, ``"float16"`` or ``"float32"``; default bf16 on CUDA.
        use_chat_template: apply the tokenizer's chat template to message lists and to
            bare prompts of ``generate`` (``choose`` scores bare prompts as raw text).
        cache: a ``RequestCache`` or ``None``.
    """

    model_id: str = ""
    device: str | None = None
    dtype: str | None = None
    use_chat_template: bool = True
    cache: RequestCache | None = None
    name: str = "hf-local"
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        try:
            import torch
            import transformers
        except ImportError as e:
            raise ImportError("the local LLM backend needs transformers (full profile): "
                              "pip install transformers accelerate") from e
        self.model = self.model_id
        self.device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        if self.dtype is None:
            self.dtype = "bfloat16" if self.device.startswith("cuda") else "float32"
        self._torch = torch
        self.tok = transformers.AutoTokenizer.from_pretrained(self.model_id)
        if self.tok.pad_token is None:
            self.tok.pad_token = self.tok.eos_token
        try:
            lm = transformers.AutoModelForCausalLM.from_pretrained(
                self.model_id, dtype=getattr(torch, self.dtype))
        except TypeError:  # transformers < 4.56 names it torch_dtype
            lm = transformers.AutoModelForCausalLM.from_pretrained(
                self.model_id, torch_dtype=getattr(torch, self.dtype))
        self.lm = lm.to(self.device).eval()

    def _render(self, messages: str | Messages, *, for_generation: bool) -> str:
        has_tpl = self.use_chat_template and getattr(self.tok, "chat_template", None)
        if isinstance(messages, str) and not for_generation:
            return messages
        if has_tpl:
            return self.tok.apply_chat_template(as_messages(messages), tokenize=False,
                                                add_generation_prompt=True)
        return messages_to_prompt(messages)

    def _cached(self, kind: str, payload: dict) -> Any | None:
        if self.cache is None:
            return None
        hit = self.cache.get(self.model, kind, payload)
        if hit is not None:
            self.usage.requests += 1
            self.usage.cached += 1
        return hit

    def _store(self, kind: str, payload: dict, reply: Any) -> None:
        if self.cache is not None:
            self.cache.put(self.model, kind, payload, reply)

    def generate(self, messages: str | Messages, *, max_tokens: int = 256,
                 temperature: float = 0.0, seed: int | None = None,
                 stop: Sequence[str] | None = None) -> str:
        text = self._render(messages, for_generation=True)
        payload = {"text": text, "max_tokens": int(max_tokens),
                   "temperature": float(temperature), "seed": seed,
                   "stop": list(stop or [])}
        hit = self._cached("generate", payload)
        if hit is not None:
            return hit
        torch = self._torch
        enc = self.tok(text, return_tensors="pt", add_special_tokens=False).to(self.device)
        kw: dict[str, Any] = {"max_new_tokens": int(max_tokens),
                              "pad_token_id": self.tok.pad_token_id}
        if temperature > 0:
            if seed is not None:
                torch.manual_seed(int(seed))
            kw.update(do_sample=True, temperature=float(temperature))
        else:
            kw.update(do_sample=False)
        with torch.no_grad():
            out = self.lm.generate(**enc, **kw)
        new = out[0, enc["input_ids"].shape[1]:]
        reply = self.tok.decode(new, skip_special_tokens=True)
        for s in stop or []:
            reply = reply.split(s)[0]
        self.usage.requests += 1
        self.usage.add_tokens(enc["input_ids"].shape[1], int(new.numel()))
        self._store("generate", payload, reply)
        return reply

    def option_logprobs(self, prompt: str, options: Sequence[str]) -> list[float]:
        """``log p(option | prompt)`` for each option, one padded forward pass."""
        torch = self._torch
        p_ids = self.tok(prompt, add_special_tokens=False)["input_ids"]
        seqs = [p_ids + self.tok(o, add_special_tokens=False)["input_ids"] for o in options]
        width = max(len(s) for s in seqs)
        pad = self.tok.pad_token_id
        ids = torch.tensor([s + [pad] * (width - len(s)) for s in seqs], device=self.device)
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in seqs],
                            device=self.device)
        with torch.no_grad():
            logits = self.lm(input_ids=ids, attention_mask=mask).logits.float()
        logp = torch.log_softmax(logits[:, :-1], dim=-1)  # (n_options, width-1, vocab)
        scores = []
        for r, s in enumerate(seqs):
            pos = torch.arange(len(p_ids) - 1, len(s) - 1, device=self.device)
            tgt = ids[r, len(p_ids):len(s)]
            scores.append(float(logp[r, pos, tgt].sum()))
        self.usage.requests += 1
        self.usage.add_tokens(int(mask.sum()), 0)
        return scores

    def choose(self, prompt: str | Messages, options: Sequence[str], *,
               seed: int | None = None) -> Choice:
        if not options:
            raise ValueError("choose needs at least one option")
        text = self._render(prompt, for_generation=False)
        payload = {"text": text, "options": list(options)}
        scores = self._cached("choose", payload)
        if scores is None:
            scores = self.option_logprobs(text, options)
            self._store("choose", payload, scores)
        i = max(range(len(options)), key=lambda j: scores[j])
        return Choice(options[i], i, tuple(scores), "logprobs", options[i])

    def settings(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.model, "device": self.device,
                "dtype": self.dtype, "use_chat_template": bool(self.use_chat_template)}
