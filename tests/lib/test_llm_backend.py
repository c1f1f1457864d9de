"""Software tests of the LLM backend layer against a fake OpenAI-compatible server.

The server below runs on 127.0.0.1 in a thread and answers with scripted strings: it is a
protocol test (requests, errors, retries, cache, parsing), never a model result.
"""

import importlib.util
import socket

import pytest
from fake_llm_server import FakeServer

from replib.llm.backend import (
    Backend,
    BackendError,
    NoBackendError,
    get_backend,
    match_option,
    parse_json_object,
)
from replib.llm.cache import RequestCache, request_key

ENV = ("GG_LLM_BASE_URL", "OPENAI_BASE_URL", "GG_LLM_MODEL", "OPENAI_MODEL",
       "GG_LLM_API_KEY", "OPENAI_API_KEY", "GG_HF_MODEL", "GG_LLM_CACHE")


@pytest.fixture
def server():
    s = FakeServer()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def backend(server, tmp_path=None, **kw):
    kw.setdefault("backoff", 0.001)
    return get_backend(base_url=server.url, model=kw.pop("model", "fake-7b"),
                       cache_dir=(tmp_path / "cache") if tmp_path else False, **kw)


def test_no_backend_configured_raises_clear_error():
    with pytest.raises(NoBackendError, match="GG_LLM_BASE_URL"):
        get_backend()


def test_environment_configures_backend_and_model_discovery(server, monkeypatch):
    monkeypatch.setenv("GG_LLM_BASE_URL", server.url)
    monkeypatch.setenv("GG_LLM_API_KEY", "sk-test")
    llm = get_backend(cache_dir=False)
    assert isinstance(llm, Backend)
    assert llm.model == "fake-7b"  # from GET /models
    assert llm.generate("hi", max_tokens=3) == "J"
    path, payload, headers = server.posts()[-1]
    assert path == "/v1/chat/completions"
    assert payload["messages"] == [{"role": "user", "content": "hi"}]
    assert payload["max_tokens"] == 3 and payload["temperature"] == 0.0
    assert headers["Authorization"] == "Bearer sk-test"


def test_generate_sends_sampling_params_and_counts_tokens(server):
    llm = backend(server, price_in=1.0, price_out=2.0)
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
    llm.generate(msgs, max_tokens=5, temperature=0.7, seed=3, stop=["\n"])
    payload = server.posts()[-1][1]
    assert payload["seed"] == 3 and payload["stop"] == ["\n"] and payload["temperature"] == 0.7
    assert llm.usage.requests == 1
    assert (llm.usage.prompt_tokens, llm.usage.completion_tokens) == (11, 1)
    assert llm.usage.cost_usd == pytest.approx(11 / 1000 + 2 / 1000)
    assert "1 requests" in llm.usage.summary()


def test_completions_api_sends_prompt(server):
    llm = backend(server, api="completions")
    assert llm.generate("Q: x\nA: Option", max_tokens=1) == "J"
    path, payload, _ = server.posts()[-1]
    assert path == "/v1/completions" and payload["prompt"] == "Q: x\nA: Option"


@pytest.mark.parametrize("api", ["chat", "completions"])
def test_choose_scores_options_by_logprobs(server, api):
    llm = backend(server, api=api)
    server.logprobs = {"F": -0.2, " J": -3.0, "J": -2.0, "other": -4.0}
    c = llm.choose("prompt", [" J", " F"])
    assert c.method == "logprobs" and c.option == " F" and c.index == 1
    # " J" and "J" are one option: log-sum-exp of both spellings
    import math
    assert c.logprobs[0] == pytest.approx(math.log(math.exp(-3.0) + math.exp(-2.0)))
    assert sum(c.probs) == pytest.approx(1.0)
    assert server.posts()[-1][1]["max_tokens"] == 1


def test_choose_falls_back_to_parsing_and_counts_unparseable(server):
    llm = backend(server)
    server.with_logprobs = False
    server.reply = "F."
    c = llm.choose("p", ["J", "F"])
    assert (c.method, c.option, c.index) == ("parsed", "F", 1)
    server.reply = "I refuse"
    c = llm.choose("p2", ["J", "F"])
    assert c.index == -1 and c.option is None
    assert llm.usage.parse_failures == 1
    # the one-token reply names no option but a short reply does: two requests
    n = len(server.posts())
    server.reply = lambda payload: "Option" if payload["max_tokens"] == 1 else "Option F"
    c = llm.choose("p3", ["J", "F"])
    assert (c.option, c.method) == ("F", "parsed") and len(server.posts()) == n + 2


def test_retries_on_5xx_and_429_then_succeeds(server):
    llm = backend(server, max_retries=3)
    server.fail_next = [503, 429, 500]
    assert llm.generate("x") == "J"
    assert llm.usage.retries == 3 and llm.usage.errors == 0
    assert len(server.posts()) == 4


def test_gives_up_after_max_retries_with_message(server):
    llm = backend(server, max_retries=2)
    server.fail_next = [503] * 5
    with pytest.raises(BackendError, match="after 3 attempts.*503"):
        llm.generate("x")
    assert llm.usage.errors == 1 and len(server.posts()) == 3


def test_client_error_fails_at_once_with_server_message(server):
    llm = backend(server, model="bad-model", max_retries=3)
    with pytest.raises(BackendError, match="HTTP 400.*unknown model"):
        llm.generate("x")
    assert len(server.posts()) == 1


def test_unreachable_endpoint_and_timeout():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: nothing listens there
    llm = get_backend(base_url=f"http://127.0.0.1:{port}/v1", model="m", cache_dir=False,
                      max_retries=1, backoff=0.001, timeout=1)
    with pytest.raises(BackendError, match="failed after 2 attempts"):
        llm.generate("x")


def test_timeout_is_retried_then_reported(server):
    server.delay = 0.5
    llm = backend(server, timeout=0.1, max_retries=1)
    with pytest.raises(BackendError, match="attempts"):
        llm.generate("x")
    assert llm.usage.retries == 1


def test_cache_makes_reruns_free_and_keys_on_sampling_params(server, tmp_path):
    llm = backend(server, tmp_path)
    assert llm.generate("q", temperature=0.0, seed=1) == "J"
    assert llm.generate("q", temperature=0.0, seed=1) == "J"
    assert len(server.posts()) == 1 and llm.usage.cached == 1
    llm.generate("q", temperature=0.5, seed=1)
    llm.generate("q", temperature=0.0, seed=2)
    llm.generate("q", temperature=0.0, seed=1, max_tokens=7)
    assert len(server.posts()) == 4
    # a new client (a rerun after a crash) reads the same entries without the server
    server.reply = "changed"
    again = backend(server, tmp_path)
    assert again.generate("q", temperature=0.0, seed=1) == "J"
    assert again.usage.prompt_tokens == 0 and len(server.posts()) == 4


def test_request_cache_keys_and_atomic_entries(tmp_path):
    c = RequestCache(tmp_path)
    p = {"messages": [{"role": "user", "content": "é"}], "temperature": 0.0}
    assert c.get("m", "chat", p) is None
    c.put("m", "chat", p, {"x": 1})
    assert c.get("m", "chat", dict(reversed(list(p.items())))) == {"x": 1}  # order-free
    assert c.get("other", "chat", p) is None
    assert request_key("m", "chat", p) != request_key("m", "completions", p)
    assert len(c) == 1 and not list(tmp_path.glob("*/.tmp-*"))
    ro = RequestCache(tmp_path / "ro", read_only=True)
    ro.put("m", "chat", p, 1)
    assert len(ro) == 0


def test_json_parses_reasks_and_defaults(server):
    llm = backend(server)
    server.reply = 'Sure: ```json\n{"choice": "A", "score": 3}\n```'
    assert llm.json("q", {"choice": str, "score": float}, None) == {"choice": "A", "score": 3}
    answers = iter(["no json here", '{"choice": "B"}'])
    server.reply = lambda payload: next(answers)
    assert llm.json("q2", {"choice": str}, None) == {"choice": "B"}
    assert server.posts()[-1][1]["messages"][-1]["content"].startswith("Reply with one JSON")
    server.reply = '{"wrong": 1}'
    assert llm.json("q3", {"choice": str}, {"choice": "default"}) == {"choice": "default"}
    assert llm.usage.parse_failures == 1


def test_parsers():
    assert parse_json_object('x {"a": [1, 2]} y {"b": 1}') == {"a": [1, 2]}
    assert parse_json_object("{bad} [3]") == [3]
    assert parse_json_object("nothing") is None
    assert match_option(" J", ["J", "F"]) == 0
    assert match_option("Option F, because", ["Option J", "Option F"]) == 1
    assert match_option("f", ["J", "F"]) == 1
    assert match_option("F, not J", ["J", "F"]) == 1
    assert match_option("either J or F", ["J", "F"]) == -1


def test_bad_arguments_are_one_line_errors(server):
    with pytest.raises(ValueError, match="api='x'.*'chat' or 'completions'"):
        backend(server, api="x")
    with pytest.raises(ValueError, match="base_url"):
        get_backend(base_url="ftp://x", model="m", cache_dir=False)


@pytest.mark.skipif(importlib.util.find_spec("transformers") is not None,
                    reason="transformers installed: the missing-package error cannot occur")
def test_hf_backend_names_the_pip_package():
    with pytest.raises(ImportError, match="pip install transformers"):
        get_backend(hf_model="sshleifer/tiny-gpt2", cache_dir=False)
