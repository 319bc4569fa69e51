"""The researcher console's service: accounts and roles, sessions, CSRF tokens, sign-in
throttling, API keys, single sign-on, and the read models its pages show.

`ConsoleService` (``bot.service.console.service``) is the door the console's web
routes and the CLI use; nothing above it touches storage.
"""
