"""The language-model interviewer: listens to each answer and helps the offline engine.

The engine stays the backbone (consent, slot order, step cap, wrap-up). A model, when
configured, only adds what it understood from an answer (as hints the engine merges with
its own reading), an optional acknowledgement and at most one probe per question, and
translations of the engine's replies into the customer's language. Every failure falls
back to the offline engine for that turn.
"""
