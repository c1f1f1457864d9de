"""A scripted OpenAI-compatible server on 127.0.0.1 for software tests of the LLM layer.

It answers with scripted strings (``reply``: a string or a function of the request payload):
a protocol test double, never a model and never a result.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    """Scripted OpenAI-compatible endpoint: /models, /chat/completions, /completions."""

    def __init__(self):
        self.requests = []  # (path, payload, headers)
        self.fail_next = []  # statuses to return before answering normally
        self.reply = "J"
        self.logprobs = {"J": -0.1, " F": -2.5}
        self.with_logprobs = True
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout test): nothing to answer

            def do_GET(self):
                server.requests.append((self.path, None, dict(self.headers)))
                if self.path.endswith("/models"):
                    self._send(200, {"data": [{"id": "fake-7b"}]})
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(n))
                server.requests.append((self.path, payload, dict(self.headers)))
                if server.delay:
                    time.sleep(server.delay)
                if server.fail_next:
                    status = server.fail_next.pop(0)
                    hdr = {"Retry-After": "0"} if status == 429 else None
                    return self._send(status, {"error": {"message": f"scripted {status}"}},
                                      hdr)
                if payload.get("model") == "bad-model":
                    return self._send(400, {"error": {"message": "unknown model"}})
                text = server.reply(payload) if callable(server.reply) else server.reply
                usage = {"prompt_tokens": 11, "completion_tokens": 1}
                if self.path.endswith("/chat/completions"):
                    choice = {"message": {"role": "assistant", "content": text}}
                    if payload.get("logprobs") and server.with_logprobs:
                        tops = [{"token": t, "logprob": v} for t, v in server.logprobs.items()]
                        choice["logprobs"] = {"content": [
                            {"token": tops[0]["token"], "logprob": tops[0]["logprob"],
                             "top_logprobs": tops}]}
                else:
                    choice = {"text": text}
                    if payload.get("logprobs") and server.with_logprobs:
                        choice["logprobs"] = {"top_logprobs": [server.logprobs]}
                self._send(200, {"choices": [choice], "usage": usage})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)

    def posts(self):
        return [r for r in self.requests if r[1] is not None]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
