"""The Slack channel: a DM conversation with the app is an interview.

Like every adapter it only translates: Slack events and button clicks become calls on the
interview service, and the service's replies become Block Kit messages. Modules:

- ``markup``: Slack's message markup (``<@U1>``, ``<https://x|label>``, ``&amp;``) to text;
- ``blocks``: replies as Block Kit (text, buttons, the playback as a numbered list);
- ``events``: Slack payloads parsed into the few things a customer can do;
- ``directory``: which interview a Slack user is in, starting one, their Slack identity;
- ``outbox``: every delivery claimed once in storage, with its work item (holds across
  processes and crashes);
- ``deliveries``: claimed work run, retried, marked done; undone work re-driven;
- ``conversation``: one customer action in, service call, Slack API calls out;
- ``executor``: the work after the ack, one conversation at a time, in order;
- ``invite``: invitation DMs with a Start button (users by id or by email);
- ``client``: the Web API client (retries rate-limited calls);
- ``app``: the Bolt app wiring it together; every request is claimed, then acked, before
  any work.
"""
