"""OpenAI-compatible HTTP backend (vLLM, llama.cpp server, Ollama, hosted APIs), stdlib only.

Implements the ``replib.llm.backend.Backend`` interface over ``POST {base_url}/chat/completions``
(``api="chat"``, default) or ``POST {base_url}/completions`` (``api="completions"``, raw
prompts such as the repeated-games paper's "Q: ... A: Option"). ``choose`` asks for one
token with ``top_logprobs`` and scores each option by the log-probability of its (stripped)
text as the next token (log-sum-exp over spellings such as "J" and " J"), which is the
paper-faithful "decode one token at temperature 0" made robust; servers without log-probs
fall back to parsing the generated text (one token, then a short reply). Retries with
exponential backoff on connection errors, timeouts, HTTP 429 and 5xx (``Retry-After``
honoured, capped at 30 s); other 4xx fail at once with the server's message. Token/cost
accounting from the ``usage`` field.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from replib.llm.backend import (
    BackendError,
    BaseBackend,
    Choice,
    Messages,
    Usage,
    as_messages,
    match_option,
    messages_to_prompt,
)
from replib.llm.cache import RequestCache

__all__ = ["OpenAICompatBackend"]

_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def _logsumexp(xs: list[float]) -> float:
    if not xs:
        return float("-inf")
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


@dataclass
class OpenAICompatBackend(BaseBackend):
    """Client of an OpenAI-compatible server. Arguments are keyword-only in spirit.

    Args:
        base_url: e.g. ``http://127.0.0.1:8000/v1``.
        model: served model name; ``None`` asks the server (``GET /models``, first entry).
        api_key: sent as ``Authorization: Bearer``; local servers usually ignore it.
        api: ``"chat"`` or ``"completions"``.
        timeout: seconds per HTTP request. max_retries: retries after the first try.
        backoff: first retry delay in seconds, doubled each retry.
        top_logprobs: alternatives requested by ``choose`` (servers cap it: OpenAI 20).
        price_in, price_out: USD per 1,000 prompt/completion tokens (0 for local servers).
        cache: a ``RequestCache`` or ``None``.
    """

    base_url: str = ""
    model: str | None = None
    api_key: str | None = None
    api: str = "chat"
    timeout: float = 60.0
    max_retries: int = 4
    backoff: float = 0.5
    top_logprobs: int = 20
    price_in: float = 0.0
    price_out: float = 0.0
    cache: RequestCache | None = None
    name: str = "openai-compatible"
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        if self.api not in ("chat", "completions"):
            raise ValueError(f"api={self.api!r} is not allowed: expected 'chat' or "
                             "'completions'")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url={self.base_url!r} is not allowed: expected an "
                             "http(s):// URL such as http://127.0.0.1:8000/v1")
        self.base_url = self.base_url.rstrip("/")
        if not self.model:
            self.model = self._first_model()

    # -- transport -------------------------------------------------------------------------
    def _request(self, method: str, path: str, payload: dict | None = None) -> dict:
        url = f"{self.base_url}{path}"
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.usage.retries += 1
            wait = self.backoff * 2 ** attempt
            try:
                req = urllib.request.Request(url, data=data, headers=headers, method=method)
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    body = resp.read().decode("utf-8")
                try:
                    return json.loads(body)
                except json.JSONDecodeError:
                    last = f"malformed JSON reply: {body[:120]!r}"
            except urllib.error.HTTPError as e:
                detail = e.read().decode("utf-8", "replace")[:300]
                if e.code not in _RETRY_STATUS:
                    self.usage.errors += 1
                    raise BackendError(f"HTTP {e.code} from {url}: {detail}") from None
                last = f"HTTP {e.code}: {detail}"
                retry_after = e.headers.get("Retry-After") if e.headers else None
                if retry_after and retry_after.replace(".", "", 1).isdigit():
                    wait = min(30.0, float(retry_after))
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
                last = f"{type(e).__name__}: {getattr(e, 'reason', e)}"
            if attempt < self.max_retries:
                time.sleep(wait)
        self.usage.errors += 1
        raise BackendError(f"{url} failed after {self.max_retries + 1} attempts: {last}")

    def _first_model(self) -> str:
        try:
            data = self._request("GET", "/models")["data"]
            return str(data[0]["id"])
        except (KeyError, IndexError, TypeError):
            raise BackendError(f"{self.base_url}/models lists no model; pass model=...") \
                from None

    def _call(self, payload: dict) -> dict:
        """POST with the cache in front; returns the server's JSON reply."""
        kind = self.api
        path = "/chat/completions" if kind == "chat" else "/completions"
        full = {"model": self.model, **payload}
        if self.cache is not None:
            hit = self.cache.get(self.model, kind, full)
            if hit is not None:
                self.usage.requests += 1
                self.usage.cached += 1
                return hit
        reply = self._request("POST", path, full)
        if not isinstance(reply, dict) or not reply.get("choices"):
            self.usage.errors += 1
            raise BackendError(f"{self.base_url}{path} returned no choices: {str(reply)[:200]}")
        self.usage.requests += 1
        u = reply.get("usage") or {}
        self.usage.add_tokens(u.get("prompt_tokens", 0), u.get("completion_tokens", 0),
                              price_in=self.price_in, price_out=self.price_out)
        if self.cache is not None:
            self.cache.put(self.model, kind, full, reply)
        return reply

    def _payload(self, messages: str | Messages, **params: Any) -> dict:
        params = {k: v for k, v in params.items() if v is not None}
        if self.api == "chat":
            return {"messages": as_messages(messages), **params}
        return {"prompt": messages_to_prompt(messages), **params}

    @staticmethod
    def _text(reply: dict) -> str:
        c = reply["choices"][0]
        if "message" in c:
            return c["message"].get("content") or ""
        return c.get("text", "")

    # -- Backend interface -----------------------------------------------------------------
    def generate(self, messages: str | Messages, *, max_tokens: int = 256,
                 temperature: float = 0.0, seed: int | None = None,
                 stop: Sequence[str] | None = None) -> str:
        payload = self._payload(messages, max_tokens=int(max_tokens),
                                temperature=float(temperature), seed=seed,
                                stop=list(stop) if stop else None)
        return self._text(self._call(payload))

    def _top_logprobs(self, reply: dict) -> dict[str, float] | None:
        lp = reply["choices"][0].get("logprobs")
        if not lp:
            return None
        if "content" in lp and lp["content"]:  # chat format
            first = lp["content"][0]
            alts = first.get("top_logprobs") or []
            out = {a["token"]: a["logprob"] for a in alts}
            out.setdefault(first["token"], first["logprob"])
            return out
        tops = lp.get("top_logprobs")  # completions format
        if tops:
            return dict(tops[0])
        return None

    def choose(self, prompt: str | Messages, options: Sequence[str], *,
               seed: int | None = None) -> Choice:
        if not options:
            raise ValueError("choose needs at least one option")
        if self.api == "chat":
            payload = self._payload(prompt, max_tokens=1, temperature=0.0, seed=seed,
                                    logprobs=True, top_logprobs=self.top_logprobs)
        else:
            payload = self._payload(prompt, max_tokens=1, temperature=0.0, seed=seed,
                                    logprobs=self.top_logprobs)
        reply = self._call(payload)
        raw = self._text(reply)
        tops = self._top_logprobs(reply)
        if tops:
            keys = [o.strip().lower() for o in options]
            scores = [_logsumexp([v for t, v in tops.items() if t.strip().lower() == k])
                      for k in keys]
            if max(scores) > float("-inf"):
                i = max(range(len(options)), key=lambda j: scores[j])
                return Choice(options[i], i, tuple(scores), "logprobs", raw)
        i = match_option(raw, options)
        if i >= 0:
            return Choice(options[i], i, None, "parsed", raw)
        # one token named no option (e.g. a chat model starting "Option ..."): read a
        # short reply instead (BaseBackend.choose counts it if it still names none)
        return BaseBackend.choose(self, prompt, options, seed=seed)

    def settings(self) -> dict[str, Any]:
        return {"backend": self.name, "base_url": self.base_url, "model": self.model,
                "api": self.api, "timeout": self.timeout, "max_retries": self.max_retries}
