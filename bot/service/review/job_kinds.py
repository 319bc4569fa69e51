"""The scheduler job kinds the review workspace queues (the campaigns package runs
them). Kept apart, so the scheduler's wiring names them without importing the review
service (and with it synthesis and the numeric stack) in every CLI command."""

from __future__ import annotations

# One person's copy of a "here is what we changed" message (payload: {"send": id}).
LOOP_SEND = "loop.send"
# The email to a console user @mentioned in a discussion (payload: {"mention": id}).
MENTION_EMAIL = "mention.email"
