"""The pluggable LLM backend layer every LLM chapter uses (issue 6; design.md 2.16).

Interface (what chapters and other modules code against)::

    from replib.llm.backend import get_backend, NoBackendError
    try:
        llm = get_backend(base_url=None, model=None, api_key=None, hf_model=None,
                          cache_dir=None)          # -> Backend
    except NoBackendError as e:
        print(f"Skipped the LLM half: {e}")        # ci: nothing configured, say so
    text = llm.generate("Q: ...\\nA:", max_tokens=8, temperature=0.0, seed=0)   # -> str
    text = llm.generate([{"role": "user", "content": "..."}], max_tokens=64)
    c = llm.choose("... Which Option do you choose?\\nA: Option", [" J", " F"])
    c.option, c.index, c.logprobs, c.method   # scored by log-probs when the server gives them
    d = llm.json(messages, schema={"choice": str, "reason": str}, default={...})  # -> dict
    llm.usage.summary()   # requests, cache hits, tokens, retries, parse failures, cost

``get_backend`` resolution (arguments win over the environment):

* ``base_url`` or ``$GG_LLM_BASE_URL`` / ``$OPENAI_BASE_URL`` -> ``OpenAICompatBackend``
  (any OpenAI-compatible server: vLLM, llama.cpp, Ollama, a hosted API). ``model`` or
  ``$GG_LLM_MODEL`` / ``$OPENAI_MODEL``; when neither is given the server's first model
  (``GET /models``) is used. ``api_key`` or ``$GG_LLM_API_KEY`` / ``$OPENAI_API_KEY``.
  A key alone never selects a hosted API: the base URL must be explicit.
* else ``hf_model`` or ``$GG_HF_MODEL`` -> ``HFLocalBackend`` (local ``transformers``,
  full profile; missing package -> ImportError naming ``pip install transformers``).
* else ``NoBackendError`` (a ``RuntimeError``) saying how to configure one.

``cache_dir`` or ``$GG_LLM_CACHE`` enables the on-disk request cache
(``replib.llm.cache``); ``cache_dir=False`` disables it. Every request (prompt/messages and
all sampling parameters) is a cache key, so temperature-0 reruns cost nothing.

``generate`` returns the text. ``choose(prompt, options)`` returns a :class:`Choice`: with
log-probs (``method="logprobs"``) the option with the highest log-probability of its text
as the continuation of ``prompt``; otherwise (``method="parsed"``) the model's generated
text matched to an option, ``index=-1`` when it matches none (count these as unparseable).
``json`` asks for a JSON object, parses the first ``{...}`` in the reply, checks the
``schema`` keys/types, re-asks once, and returns ``default`` (counted in
``usage.parse_failures``) when it still fails. Errors: ``BackendError`` after retries are
exhausted (unreachable endpoint, HTTP 4xx other than 429), with the server's message.
"""

from __future__ import annotations

import json as _json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["Backend", "BaseBackend", "BackendError", "NoBackendError", "Choice", "Usage",
           "Messages", "as_messages", "messages_to_prompt", "parse_json_object",
           "match_option", "get_backend", "describe_backend"]

Messages = list[dict[str, str]]


class NoBackendError(RuntimeError):
    """No LLM backend is configured (the ci profile's normal case)."""


class BackendError(RuntimeError):
    """A configured backend failed: unreachable, rejected request, malformed reply."""


@dataclass
class Usage:
    """Token/cost accounting of one backend (cached replies are free and counted apart)."""

    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    errors: int = 0
    parse_failures: int = 0
    cost_usd: float = 0.0

    def add_tokens(self, prompt: int, completion: int, *, price_in: float = 0.0,
                   price_out: float = 0.0) -> None:
        """Count one request's tokens; prices are USD per 1,000 tokens."""
        self.prompt_tokens += int(prompt)
        self.completion_tokens += int(completion)
        self.cost_usd += prompt * price_in / 1000 + completion * price_out / 1000

    def summary(self) -> str:
        return (f"{self.requests} requests ({self.cached} from cache), "
                f"{self.prompt_tokens} prompt + {self.completion_tokens} completion tokens, "
                f"{self.retries} retries, {self.errors} errors, "
                f"{self.parse_failures} unparseable, ${self.cost_usd:.4f}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Choice:
    """Result of ``choose``: the picked option, its index, per-option log-probs."""

    option: str | None
    index: int
    logprobs: tuple[float, ...] | None
    method: str  # "logprobs" or "parsed"
    raw: str = ""

    @property
    def probs(self) -> tuple[float, ...] | None:
        """Option probabilities renormalised over the options (None without log-probs)."""
        if self.logprobs is None:
            return None
        import math

        m = max(self.logprobs)
        if m == float("-inf"):
            return None
        e = [math.exp(lp - m) for lp in self.logprobs]
        return tuple(x / sum(e) for x in e)


@runtime_checkable
class Backend(Protocol):
    """What every backend offers (see the module docstring for semantics)."""

    name: str
    model: str
    usage: Usage

    def generate(self, messages: str | Messages, *, max_tokens: int = 256,
                 temperature: float = 0.0, seed: int | None = None,
                 stop: Sequence[str] | None = None) -> str: ...

    def choose(self, prompt: str | Messages, options: Sequence[str], *,
               seed: int | None = None) -> Choice: ...

    def json(self, messages: str | Messages, schema: Mapping[str, type], default: Any, *,
             max_tokens: int = 512, temperature: float = 0.0,
             seed: int | None = None) -> Any: ...

    def settings(self) -> dict[str, Any]: ...


def as_messages(messages: str | Messages) -> Messages:
    """A bare prompt becomes one user message; a message list is checked and copied."""
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    out = []
    for m in messages:
        if not isinstance(m, Mapping) or "role" not in m or "content" not in m:
            raise ValueError(f"messages must be dicts with 'role' and 'content', got {m!r}")
        out.append({"role": str(m["role"]), "content": str(m["content"])})
    return out


def messages_to_prompt(messages: str | Messages) -> str:
    """Plain-text rendering for completion-style scoring (no chat template)."""
    if isinstance(messages, str):
        return messages
    return "\n\n".join(m["content"] for m in as_messages(messages))


_JSON_START = re.compile(r"[{\[]")


def parse_json_object(text: str) -> Any | None:
    """The first JSON object/array in ``text`` (code fences allowed), else ``None``."""
    dec = _json.JSONDecoder()
    for m in _JSON_START.finditer(text or ""):
        try:
            obj, _ = dec.raw_decode(text[m.start():])
            return obj
        except ValueError:
            continue
    return None


def _fits(obj: Any, schema: Mapping[str, type]) -> bool:
    if not isinstance(obj, dict):
        return False
    for key, typ in schema.items():
        if key not in obj:
            return False
        if typ is float and isinstance(obj[key], int) and not isinstance(obj[key], bool):
            continue
        if typ is not Any and not isinstance(obj[key], typ):
            return False
    return True


def match_option(text: str, options: Sequence[str]) -> int:
    """Index of the option a free-text reply names, or -1 (none or ambiguous).

    Exact (stripped, case-insensitive) match first, then a unique whole-word occurrence,
    then the reply's first word ("F, not J" -> F; "either J or F" -> -1).
    """
    t = (text or "").strip().lower()
    opts = [o.strip().lower() for o in options]
    if t in opts:
        return opts.index(t)
    hits = [i for i, o in enumerate(opts) if o and re.search(rf"\b{re.escape(o)}\b", t)]
    if len(hits) == 1:
        return hits[0]
    first = re.split(r"[\s.,:;!?\"'()]+", t, maxsplit=1)[0] if t else ""
    return opts.index(first) if first in opts else -1


@dataclass
class BaseBackend:
    """Shared behaviour: ``json`` with one re-ask, ``choose`` by parsing as a fallback."""

    name: str = "base"
    model: str = ""
    usage: Usage = field(default_factory=Usage)

    def generate(self, messages: str | Messages, *, max_tokens: int = 256,
                 temperature: float = 0.0, seed: int | None = None,
                 stop: Sequence[str] | None = None) -> str:
        raise NotImplementedError

    def choose(self, prompt: str | Messages, options: Sequence[str], *,
               seed: int | None = None) -> Choice:
        """Fallback without log-probs: generate a short reply and match it to an option."""
        if not options:
            raise ValueError("choose needs at least one option")
        n_tok = max(4, max(len(o) for o in options))
        raw = self.generate(prompt, max_tokens=n_tok, temperature=0.0, seed=seed)
        i = match_option(raw, options)
        if i < 0:
            self.usage.parse_failures += 1
        return Choice(options[i] if i >= 0 else None, i, None, "parsed", raw)

    def json(self, messages: str | Messages, schema: Mapping[str, type], default: Any, *,
             max_tokens: int = 512, temperature: float = 0.0,
             seed: int | None = None) -> Any:
        keys = ", ".join(f'"{k}"' for k in schema)
        msgs = as_messages(messages)
        for _attempt in range(2):
            raw = self.generate(msgs, max_tokens=max_tokens, temperature=temperature,
                                seed=seed)
            obj = parse_json_object(raw)
            if _fits(obj, schema):
                return obj
            msgs = msgs + [{"role": "assistant", "content": raw},
                           {"role": "user", "content": "Reply with one JSON object only, "
                            f"with the keys {keys}."}]
        self.usage.parse_failures += 1
        return default

    def settings(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.model}


def _env(*names: str) -> str | None:
    for n in names:
        v = os.environ.get(n)
        if v:
            return v
    return None


def get_backend(base_url: str | None = None, model: str | None = None,
                api_key: str | None = None, hf_model: str | None = None,
                cache_dir: str | os.PathLike | bool | None = None, **kwargs: Any) -> Backend:
    """The configured backend, or ``NoBackendError`` (see the module docstring).

    Extra keyword arguments go to the backend's constructor (``timeout``,
    ``max_retries``, ``backoff``, ``price_in``/``price_out`` for the HTTP client;
    ``device``, ``dtype`` for the local one).
    """
    from replib.llm.cache import RequestCache

    if cache_dir is None:
        cache_dir = _env("GG_LLM_CACHE")
    cache = RequestCache(cache_dir) if cache_dir not in (None, False, "") else None
    url = base_url or _env("GG_LLM_BASE_URL", "OPENAI_BASE_URL")
    if url:
        from replib.llm.openai_compat import OpenAICompatBackend

        return OpenAICompatBackend(
            base_url=url, model=model or _env("GG_LLM_MODEL", "OPENAI_MODEL"),
            api_key=api_key or _env("GG_LLM_API_KEY", "OPENAI_API_KEY"), cache=cache,
            **kwargs)
    hf = hf_model or _env("GG_HF_MODEL")
    if hf:
        from replib.llm.hf import HFLocalBackend

        return HFLocalBackend(model_id=hf, cache=cache, **kwargs)
    raise NoBackendError(
        "no LLM backend configured: pass base_url (an OpenAI-compatible server, e.g. vLLM "
        "or llama.cpp) or hf_model (a local transformers model), or set GG_LLM_BASE_URL "
        "(+ GG_LLM_MODEL, GG_LLM_API_KEY) or GG_HF_MODEL")


def describe_backend(backend: Backend) -> dict[str, Any]:
    """Model name and settings plus usage, for the chapter's provenance stamp."""
    return {**backend.settings(), "usage": backend.usage.to_dict()}
