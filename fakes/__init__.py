"""Offline stand-ins for the services journeyline talks to, shared by tests and benchmarks.

Each is a real server on 127.0.0.1 in a thread, so the real client code (slack_sdk's
``WebClient``, the ``openai`` HTTP client) is exercised, timeouts and errors included:

- ``fakes.slack``: the Slack Web API, plus the signed requests Slack sends to the app.
- ``fakes.openai_chat``: an OpenAI-compatible ``/v1/chat/completions`` (function calling).
- ``fakes.openai_embeddings``: an OpenAI-compatible ``/v1/embeddings``.
- ``fakes.local_server``: the thread that serves the two OpenAI fakes.
"""
