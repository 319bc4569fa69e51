"""A small OpenAI-compatible ``/v1/chat/completions`` server on 127.0.0.1 (GUIDE §4).

It answers function-calling requests the way the API does: one tool call of the tool
the request offers, ``finish_reason`` "tool_calls", and ``usage`` with token counts
estimated from the request and reply sizes (4 characters a token, as a stand-in for the
tokenizer, which needs downloads). Its "model" reads the customer's answer with the
offline understanding layer plus a tiny language detector, so whole interviews run.

``script`` queues behaviours for the next calls: ``"timeout"`` (answer after
``slow_seconds``), an HTTP status (429 with ``Retry-After``, 500), ``"malformed"`` (tool
arguments that are not JSON), ``"garbage"`` (a body that is not JSON) and ``"invalid"``
(JSON outside the schema). Every request body is kept in ``requests``.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from bot.understanding import understand
from fakes.local_server import serving

_LANGUAGE_WORDS = {
    "fr": {
        "j'ai",
        "je",
        "était",
        "c'était",
        "appelé",
        "très",
        "pas",
        "les",
        "mon",
        "une",
        "un",
        "le",
        "la",
        "quand",
        "tout",
        "dit",
        "rien",
        "rappel",
        "conseiller",
        "devais",
    },
    "de": {"ich", "habe", "nicht", "war", "die", "der", "und", "mein", "angerufen"},
    "es": {"llamé", "estaba", "muy", "pero", "el", "mi", "una", "fue"},
}


PROBE = "Could you tell me a little more about what you did then?"


ANALYST_TOOLS = ("StagePlacements", "StageNames", "PainTitles", "ExecutiveSummary")
# A stage id no frame has: the fake model answers it once, the analyst must ignore it.
UNKNOWN_STAGE = "not_a_stage"
INVENTED_QUOTE = "I have never been treated so badly by any company in my entire life"


def analyst_answer(tool: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What a researcher-model would say: names from the keywords, one real quote copied
    from the input, and one invented quote the analyst must drop."""
    if tool == "StagePlacements":
        return {"placements": _placements(payload)}
    if tool == "StageNames":
        return {
            "stages": [
                {
                    "id": s["id"],
                    "name": f"Stage about {(s['keywords'] or ['it'])[0]}",
                    "summary": "Customers spend this part of the journey on one thing.",
                    "quotes": [*s["quotes"][:1], INVENTED_QUOTE],
                }
                for s in payload["stages"]
            ]
        }
    if tool == "PainTitles":
        return {
            "pain_points": [
                {
                    "id": p["id"],
                    "title": f"Trouble with {(p['keywords'] or [p['label']])[0]}",
                    "summary": "A problem several customers ran into.",
                    "quotes": p["quotes"][:1],
                }
                for p in payload["pain_points"]
            ]
        }
    return {
        "summary": "Most customers needed several contacts before it was sorted.",
        "quotes": payload["quotes"][:1],
    }


def _placements(payload: dict[str, Any]) -> list[dict[str, str]]:
    """Each step in the stage whose name, description and examples share most words
    with it ("none" when no word is shared); the very first step in an unknown stage."""
    stages = [
        (s["id"], _words(" ".join([s["name"], s["description"], *s["examples"]])))
        for s in payload["stages"]
    ]
    placed: list[dict[str, str]] = []
    for journey in payload["journeys"]:
        for step in journey["steps"]:
            words = _words(step["did"])
            best, overlap = max(((sid, len(words & sw)) for sid, sw in stages), key=lambda p: p[1])
            placed.append({"step": step["id"], "stage": best if overlap else "none"})
    if placed:
        placed[0]["stage"] = UNKNOWN_STAGE
    return placed


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if len(w) > 3}


def guess_language(text: str) -> str:
    words = set(re.findall(r"[\w']+", text.lower()))
    scores = {code: len(words & vocab) for code, vocab in _LANGUAGE_WORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] >= 2 else "en"


def tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


@dataclass
class FakeChatServer:
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[str | int] = field(default_factory=list)
    slow_seconds: float = 3.0
    usage: list[tuple[int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_behaviour(self) -> str | int:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def answer_for(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """(tool name, arguments) a sensible model would return for this request."""
        tool = body["tools"][0]["function"]["name"]
        payload = json.loads(body["messages"][-1]["content"])
        if tool == "TranslationOutput":
            system = body["messages"][0]["content"]
            language = re.search(r'code\s+"(\w+)"', system)
            code = language.group(1) if language else "xx"
            return tool, {"texts": [f"({code}) {t}" for t in payload["texts"]]}
        if tool in ANALYST_TOOLS:
            return tool, analyst_answer(tool, payload)
        answer = payload["customer_answer"]
        understood = understand(answer)
        lowered = answer.lower()
        # What a multilingual model would read in the French answers the tests use.
        french_minutes = {"une heure": 60, "une demi-heure": 30, "deux jours": 2880}
        minutes = next((m for p, m in french_minutes.items() if p in lowered), None)
        french_end = lowered.strip(" .!") in {"c'était tout", "rien d'autre", "c'est tout"}
        args: dict[str, Any] = {
            "channel": understood.channel.value if understood.channel else None,
            "feeling": understood.feeling,
            "duration_minutes": understood.duration_minutes or minutes,
            "people": list(understood.people),
            "tools": list(understood.tools),
            "pains": list(understood.pains),
            "ended": understood.ended or french_end,
            "language": guess_language(answer),
            "on_topic": True,
            "acknowledgement": "Thanks, that helps me picture it.",
            "probe": None,
        }
        vague = len(answer.split()) <= 3 and payload["slot"] in ("step", "next_step")
        if payload.get("may_probe") and vague:
            args["probe"] = PROBE
        return tool, args


def _handler(state: FakeChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _send(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)  # the client may have given up (a timeout)

        def _error(self, status: int, message: str, **headers: str) -> None:
            body = {"error": {"message": message, "type": "test", "code": str(status)}}
            self._send(status, json.dumps(body).encode(), headers)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            if self.path != "/v1/chat/completions":
                self._error(404, f"no route {self.path}")
                return
            body = json.loads(raw or b"{}")
            with state.lock:
                state.requests.append(body)
            behaviour = state.next_behaviour()
            if behaviour == "timeout":
                time.sleep(state.slow_seconds)
            elif isinstance(behaviour, int):
                headers = {"retry-after": "1"} if behaviour == 429 else {}
                self._error(
                    behaviour, "Rate limit reached" if behaviour == 429 else "boom", **headers
                )
                return
            elif behaviour == "garbage":
                self._send(200, b"<html>upstream proxy error</html>")
                return
            tool, args = state.answer_for(body)
            if behaviour == "invalid":
                args = {"feeling": 42, "channel": "telepathy"}
            arguments = "{not json" if behaviour == "malformed" else json.dumps(args)
            prompt = tokens(json.dumps(body["messages"])) + tokens(json.dumps(body["tools"]))
            completion = tokens(arguments)
            with state.lock:
                state.usage.append((prompt, completion))
            reply = {
                "id": f"chatcmpl-{len(state.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": None,
                            "tool_calls": [
                                {
                                    "id": "call_1",
                                    "type": "function",
                                    "function": {"name": tool, "arguments": arguments},
                                }
                            ],
                        },
                        "finish_reason": "tool_calls",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            }
            self._send(200, json.dumps(reply).encode())

    return Handler


@contextmanager
def fake_chat_server(*, slow_seconds: float = 3.0) -> Iterator[FakeChatServer]:
    state = FakeChatServer(slow_seconds=slow_seconds)
    with serving(_handler(state)) as base_url:
        state.base_url = base_url
        yield state
