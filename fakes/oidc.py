"""A small OpenID Connect provider on 127.0.0.1, for the console's single sign-on.

It serves what a real provider does for the authorization code flow with PKCE: the
discovery document, its JWKS (an RSA key), ``/authorize`` (no login form: it signs in
whoever ``identity`` names and redirects back with a code, the way a provider does for
someone already signed in there) and ``/token`` (client secret, redirect URI and PKCE
verifier checked; an ID token signed with RS256 comes back).

Tests make it misbehave through ``tamper``: another audience, issuer or nonce in the
token, a signature by a key it does not publish, an expired token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from fakes.local_server import SHUTDOWN_POLL_SECONDS

KEY_ID = "fake-key-1"


@dataclass
class Identity:
    """Who the provider says is signing in."""

    email: str = "ana@example.com"
    subject: str = "fake-subject-1"
    name: str | None = "Ana Example"
    email_verified: bool | None = True


@dataclass
class Tamper:
    """What the next ID tokens get wrong (all off: a correct token)."""

    audience: str | None = None
    issuer: str | None = None
    nonce: str | None = None
    foreign_key: bool = False
    expired: bool = False
    algorithm_none: bool = False


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    method: str | None


@dataclass
class FakeOidcProvider:
    client_id: str
    client_secret: str
    issuer: str = ""
    identity: Identity = field(default_factory=Identity)
    tamper: Tamper = field(default_factory=Tamper)
    # What arrived: every /authorize query and /token form, for the tests to read.
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    # ------------------------------------------------------------------- documents

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        public.update({"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}

    # ------------------------------------------------------------------- the flow

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """(status, location or error text) for an /authorize request."""
        with self._lock:
            self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id:
            return 400, "unknown client_id"
        if query.get("response_type") != "code" or "openid" not in query.get("scope", ""):
            return 400, "response_type must be code and scope must include openid"
        redirect_uri = query.get("redirect_uri", "")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                client_id=self.client_id,
                redirect_uri=redirect_uri,
                nonce=query.get("nonce"),
                challenge=query.get("code_challenge"),
                method=query.get("code_challenge_method"),
            )
        back = {"code": code, "state": query.get("state", "")}
        return 302, f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(back)}"

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.token_requests.append(form)
            grant = self._grants.pop(form.get("code", ""), None)
        if not self._client_ok(form, authorization):
            return 401, {"error": "invalid_client"}
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if grant.method != "S256" or grant.challenge != expected:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier"}
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(nonce=grant.nonce),
        }

    def id_token(self, *, nonce: str | None) -> str:
        now = int(time.time())
        tamper = self.tamper
        claims: dict[str, Any] = {
            "iss": tamper.issuer or self.issuer,
            "sub": self.identity.subject,
            "aud": tamper.audience or self.client_id,
            "iat": now - (7200 if tamper.expired else 0),
            "exp": now + (-3600 if tamper.expired else 300),
            "email": self.identity.email,
        }
        if nonce is not None or tamper.nonce is not None:
            claims["nonce"] = tamper.nonce or nonce
        if self.identity.email_verified is not None:
            claims["email_verified"] = self.identity.email_verified
        if self.identity.name:
            claims["name"] = self.identity.name
        if tamper.algorithm_none:
            return jwt.encode(claims, key="", algorithm="none")
        key = self._other_key if tamper.foreign_key else self._key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})

    def _client_ok(self, form: dict[str, str], authorization: str | None) -> bool:
        if authorization and authorization.lower().startswith("basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        return secrets.compare_digest(client_id, self.client_id) and secrets.compare_digest(
            secret, self.client_secret
        )


def _handler(provider: FakeOidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif parts.path == "/jwks":
                self._json(200, provider.jwks())
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, where = provider.authorize(query)
                if status == 302:
                    self.send_response(302)
                    self.send_header("Location", where)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._json(status, {"error": where})
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            status, body = provider.token(form, self.headers.get("Authorization"))
            self._json(status, body)

    return Handler


@contextmanager
def running_provider(
    *, client_id: str = "journeyline", client_secret: str = "s3cret"
) -> Iterator[FakeOidcProvider]:
    """A provider on a free port of 127.0.0.1; its ``issuer`` is its base URL."""
    provider = FakeOidcProvider(client_id=client_id, client_secret=client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    server.daemon_threads = True
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True
    )
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
