"""Slack acks while turns are slow, and no acked message lost through SIGTERM or kill -9.

Slack wants every request answered within 3 seconds, or it retries; and it never sends
again what was acknowledged, so work acked and not stored is lost. This benchmark runs
journeyline's Slack endpoint in a process of its own (``bench.slack_ack.server``) with
every interview turn slowed to 5 s (as a slow language model makes it), sends it a few
hundred signed events over HTTP, and at the same time the same events to a bare Bolt app
that only acks, also in a process of its own (the baseline). Each customer sends their
next message once the last one was answered, as people do; 8 requests are in flight.
Three scenarios:

- ``steady``: every event sent; then the process is stopped with SIGTERM and started
  again, and the backlog is worked off;
- ``sigterm``: SIGTERM halfway through the sending (the events refused meanwhile are
  sent again after the restart, as Slack retries them);
- ``kill``: ``kill -9`` halfway through; after the restart the dead process's holds
  lapse and its acked work is re-driven.

Each prints the ack latency (p50/p99/max), how many acked events were not stored when
the process ended (must be 0), and, once everything is worked off, whether every acked
message was answered exactly once: stored once, its delivery done, and every stored
reply posted to Slack once.

    .venv/bin/python -m bench.slack_ack [--users 40] [--messages 8] [--concurrency 8]
        [--scenario steady|sigterm|kill|all] [--turn-seconds 5]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
