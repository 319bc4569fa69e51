"""The web channel: a JSON API and server-rendered chat pages over the interview service."""
