"""Is a helpdesk webhook really from the helpdesk? The signature schemes of common
helpdesks, each checked in constant time against the shared secret.

- ``X-Journeyline-Signature: sha256=<hex>``: HMAC-SHA256 of the body (any system that
  can sign; the generic one).
- Zendesk: ``X-Zendesk-Webhook-Signature`` is base64 HMAC-SHA256 of the
  ``X-Zendesk-Webhook-Signature-Timestamp`` header's value followed by the body.
- Intercom: ``X-Hub-Signature: sha1=<hex>``, HMAC-SHA1 of the body.
- Help Scout: ``X-HelpScout-Signature``, base64 HMAC-SHA1 of the body.
- Helpdesks that cannot sign (Freshdesk's webhooks send fixed custom headers):
  ``X-Journeyline-Token: <the secret>``.

A signed request older than ``MAX_AGE_SECONDS`` (Zendesk's timestamp) is refused, so a
recorded request cannot be replayed later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

MAX_AGE_SECONDS = 300


def _hmac(secret: bytes, message: bytes, digest: str) -> bytes:
    return hmac.new(secret, message, digest).digest()


def verified(
    headers: Mapping[str, str], body: bytes, secret: str, *, now: float | None = None
) -> bool:
    """Whether ``headers`` carry a valid signature of ``body`` under ``secret`` in any
    of the schemes above. ``headers`` keys are lower-case."""
    key = secret.encode("utf-8")
    generic = headers.get("x-journeyline-signature")
    if generic is not None:
        expected = "sha256=" + _hmac(key, body, "sha256").hex()
        return hmac.compare_digest(generic.strip(), expected)
    zendesk = headers.get("x-zendesk-webhook-signature")
    if zendesk is not None:
        stamp = headers.get("x-zendesk-webhook-signature-timestamp", "")
        if not _fresh(stamp, now):
            return False
        expected = base64.b64encode(_hmac(key, stamp.encode() + body, "sha256")).decode()
        return hmac.compare_digest(zendesk.strip(), expected)
    intercom = headers.get("x-hub-signature")
    if intercom is not None:
        expected = "sha1=" + _hmac(key, body, "sha1").hex()
        return hmac.compare_digest(intercom.strip(), expected)
    helpscout = headers.get("x-helpscout-signature")
    if helpscout is not None:
        expected = base64.b64encode(_hmac(key, body, "sha1")).decode()
        return hmac.compare_digest(helpscout.strip(), expected)
    token = headers.get("x-journeyline-token")
    if token is not None:
        return hmac.compare_digest(
            hashlib.sha256(token.strip().encode()).digest(), hashlib.sha256(key).digest()
        )
    return False


def _fresh(stamp: str, now: float | None) -> bool:
    from datetime import datetime

    current = time.time() if now is None else now
    try:
        moment = (
            float(stamp)
            if stamp.replace(".", "", 1).isdigit()
            else datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        )
    except ValueError:
        return False
    return abs(current - moment) <= MAX_AGE_SECONDS
