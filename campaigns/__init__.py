"""Invitations on their way out: the durable scheduler and its jobs (waves, sends,
reminders) and the channels they go through (SMTP, the .eml outbox, Slack DMs).

Above ``bot.service`` (whose services schedule the work) and ``bot.slack`` (whose blocks
the Slack invitations reuse), below the composition root, which builds the workers.
"""
