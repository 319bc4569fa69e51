"""A small OpenAI-compatible ``/v1/embeddings`` server on 127.0.0.1 (GUIDE §4).

Vectors are a deterministic function of the text (a few hashed character trigrams), so
equal texts get equal vectors and different ones differ. ``fail_next`` queues HTTP
error statuses (429, 500) answered before any real response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from fakes.local_server import serving

DIMENSIONS = 16


def fake_vector(text: str) -> list[float]:
    vector = [0.0] * DIMENSIONS
    padded = f"  {text.lower()}  "
    for i in range(len(padded) - 2):
        digest = hashlib.md5(padded[i : i + 3].encode()).digest()
        vector[digest[0] % DIMENSIONS] += 1.0 if digest[1] % 2 else -1.0
    return vector


@dataclass
class FakeOpenAI:
    base_url: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)

    @property
    def texts_sent(self) -> list[str]:
        return [text for call in self.calls for text in call["input"]]


def _handler(state: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/v1/embeddings":
                self._reply(404, {"error": {"message": f"no route {self.path}"}})
                return
            if state.fail_next:
                status = state.fail_next.pop(0)
                message = "Rate limit reached for requests" if status == 429 else "server fell over"
                self._reply(status, {"error": {"message": message, "type": "test"}})
                return
            if self.headers.get("authorization") != "Bearer test-key":
                self._reply(401, {"error": {"message": "bad key"}})
                return
            state.calls.append(body)
            texts = body["input"]
            data = [
                {"object": "embedding", "index": i, "embedding": fake_vector(t)}
                for i, t in enumerate(texts)
            ]
            self._reply(
                200,
                {
                    "object": "list",
                    "data": data,
                    "model": body["model"],
                    "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
                },
            )

    return Handler


@contextmanager
def fake_openai_server() -> Iterator[FakeOpenAI]:
    state = FakeOpenAI()
    with serving(_handler(state)) as base_url:
        state.base_url = base_url
        yield state
