"""Tokens per turn and per interview of the LLM interviewer, against a local server.

    .venv/bin/python -m bench.llm_tokens [--steps 3 6 10] [--price-in 0.15 --price-out 0.60]

Interviews of 3, 6 and 10 steps run through the real service and the real ``openai``
client against the OpenAI-compatible server of ``fakes/openai_chat.py`` on
127.0.0.1, which reports ``usage`` the way the API does (tokens estimated at 4 characters
each: the real tokenizer needs a download). For comparison, the same run also counts what
each call would cost if the model were sent the whole transcript so far instead of the
compact state (the baseline a naive chat integration uses).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import InterviewStatus, Slot
from bot.llm.calls import Pricing
from bot.llm.chat_model import ModelConfig, chat_model
from bot.llm.interviewer import Interviewer
from bot.llm.model_listener import listening_service
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from fakes.openai_chat import PROBE, FakeChatServer, fake_chat_server
from storage import queries
from storage.engines import make_engine, make_session_factory
from storage.migrate import upgrade

STEP_TEXTS = [
    "I rang their helpline and waited 35 minutes on hold, really annoyed",
    "then I tried the live chat on the website, the bot kept looping",
    "an agent on the chat said he'd escalate it to billing",
    "I got an email two days later asking for the same details again",
    "so I phoned again and had to explain everything from scratch",
    "they transferred me twice before someone from billing picked up",
    "billing promised a refund within 5 days",
    "nothing came, so I complained on twitter",
    "their social team DMed me and opened a case",
    "the refund finally arrived after another week",
]
WORDS = {
    Slot.PROBLEM: "My broadband bill charged me twice for the same month",
    Slot.THINKING: "honestly I was wondering why this is so hard to fix",
    Slot.DURATION: "about half an hour",
    Slot.PEOPLE_TOOLS: "an agent and my bill",
    Slot.PAIN: "having to repeat myself",
    Slot.MOMENT_OF_TRUTH: "when billing promised the refund",
    Slot.IMPROVEMENT: "one person owning my case",
}
GUIDE = """extends: support_journey
id: bench_long
version: "1.0"
step_cap: 12
"""


def run_one(
    service: InterviewService, campaign: str, steps: int, sessions: sessionmaker[Session]
) -> tuple[int, int]:
    """Interview with ``steps`` steps; returns (turns with text, transcript characters)."""
    result = service.start_interview(campaign_slug=campaign, channel="bench")
    iid, told, n = result.interview_id, 0, 0
    while result.status != InterviewStatus.COMPLETED and n < 200:
        n += 1
        question = result.replies[-1]
        slot = question.slot
        values = [c.value for c in question.choices]
        msg = f"{iid}-{n}"
        if question.text == PROBE:
            result = service.handle_message(
                interview_id=iid, text="I used their website chat", channel_message_id=msg
            )
        elif slot in (Slot.STEP, Slot.NEXT_STEP) and told < steps:
            result = service.handle_message(
                interview_id=iid, text=STEP_TEXTS[told % len(STEP_TEXTS)], channel_message_id=msg
            )
            told += 1
        elif slot == Slot.NEXT_STEP:
            result = service.handle_message(interview_id=iid, choice="last", channel_message_id=msg)
        elif slot in WORDS:
            result = service.handle_message(
                interview_id=iid, text=WORDS[Slot(slot)], channel_message_id=msg
            )
        elif values:
            choice = "2" if "2" in values else values[0]
            result = service.handle_message(interview_id=iid, choice=choice, channel_message_id=msg)
        else:
            result = service.handle_message(interview_id=iid, text="no", channel_message_id=msg)
    with sessions() as session:
        interview = queries.get_interview(session, iid)
        assert interview is not None
        transcript = queries.transcript(session, interview.id)
    return n, sum(len(m.text) for m in transcript)


def measure(steps: int, server: FakeChatServer, workdir: Path) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{workdir}/llm-{steps}.db")
    upgrade(engine)
    sessions = make_session_factory(engine)
    guide = workdir / "bench_long.yaml"
    guide.write_text(GUIDE, encoding="utf-8")
    with sessions.begin() as session:
        create_campaign(session, slug=f"bench-{steps}", name="bench", guide=guide)
    model = chat_model(ModelConfig(model="gpt-4o-mini", api_key="test", base_url=server.base_url))
    service = listening_service(
        sessions, interviewer=Interviewer(model, model_name="gpt-4o-mini"), max_usd_per_interview=1
    )
    before = len(server.usage)
    before_requests = len(server.requests)
    _, transcript_chars = run_one(service, f"bench-{steps}", steps, sessions)
    usage = server.usage[before:]
    requests = server.requests[before_requests:]
    engine.dispose()
    per_call = [p + c for p, c in usage]
    third = max(1, len(per_call) // 3)
    # The same instructions and tool schema go with every call, in ours and the baseline.
    system_tokens = math.ceil(len(requests[0]["messages"][0]["content"]) / 4) + math.ceil(
        len(json.dumps(requests[0]["tools"])) / 4
    )
    # Baseline: each call sent the transcript so far (grows ~linearly through the run).
    full = [
        system_tokens + math.ceil(transcript_chars * (i + 1) / len(per_call) / 4) + c
        for i, (_, c) in enumerate(usage)
    ]
    return {
        "steps": steps,
        "calls": len(per_call),
        "tokens_in": sum(p for p, _ in usage),
        "tokens_out": sum(c for _, c in usage),
        "per_call_mean": statistics.mean(per_call),
        "first_third": statistics.mean(per_call[:third]),
        "last_third": statistics.mean(per_call[-third:]),
        "baseline_total": sum(full),
        "baseline_last_third": statistics.mean(full[-third:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[3, 6, 10])
    parser.add_argument("--price-in", type=float, default=0.15, help="USD per 1M input tokens")
    parser.add_argument("--price-out", type=float, default=0.60, help="USD per 1M output tokens")
    args = parser.parse_args()
    pricing = Pricing(input_per_million=args.price_in, output_per_million=args.price_out)
    print(
        "llm tokens: whole interviews through the real openai client against a local "
        "OpenAI-compatible server (usage estimated at 4 chars/token)"
    )
    print(
        f"{'steps':>5} {'calls':>5} {'tokens in':>9} {'out':>6} {'total':>7} "
        f"{'per call':>8} {'1st 1/3':>7} {'last 1/3':>8} {'flat':>5} "
        f"{'whole-transcript':>16} {'ratio':>6} {'USD':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp, fake_chat_server() as server:
        for steps in args.steps:
            r = measure(steps, server, Path(tmp))
            total = r["tokens_in"] + r["tokens_out"]
            cost = pricing.cost(int(r["tokens_in"]), int(r["tokens_out"]))
            print(
                f"{r['steps']:>5} {r['calls']:>5} {r['tokens_in']:>9,.0f} {r['tokens_out']:>6,.0f} "
                f"{total:>7,.0f} {r['per_call_mean']:>8,.0f} {r['first_third']:>7,.0f} "
                f"{r['last_third']:>8,.0f} {r['last_third'] / r['first_third']:>4.2f}x "
                f"{r['baseline_total']:>16,.0f} {total / r['baseline_total']:>5.2f}x "
                f"{cost:>8.5f}"
            )
    print(
        "flat = mean tokens per call in the last third of the interview / first third; "
        "ratio = our total / the whole-transcript baseline's; USD at "
        f"${args.price_in}/M in, ${args.price_out}/M out"
    )


if __name__ == "__main__":
    main()
