"""An OpenID Connect client for the authorization code flow with PKCE.

The provider's discovery document gives its endpoints; the ID token's signature is
checked against the provider's published keys (JWKS, fetched again once when a token
names a key id not seen yet: providers rotate keys), and so are its issuer, audience,
expiry and nonce. Only asymmetric signatures are accepted: ``none`` and the HMAC
family never are. PyJWT does the JWT work; httpx the HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import jwt

from bot.service.console.config import SsoConfig
from bot.service.console.errors import SsoFailed

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
# Clocks differ a little between the provider and us.
LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43-128
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        return cls(verifier=verifier, challenge=challenge)


@dataclass(frozen=True)
class Identity:
    """What a verified ID token says about the person."""

    subject: str
    email: str
    name: str | None


class OidcClient:
    """One provider's endpoints and keys, cached for ``config.cache_seconds``."""

    def __init__(self, config: SsoConfig, *, http: httpx.Client | None = None) -> None:
        self.config = config
        self._http = http or httpx.Client(timeout=config.timeout_seconds)
        self._lock = threading.Lock()
        self._discovery: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, jwt.PyJWKSet] | None = None

    # ------------------------------------------------------------------- discovery

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._discovery is not None and self._fresh(self._discovery[0]):
                return self._discovery[1]
        url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = self._get_json(url, what="discovery document")
        issuer = str(document.get("issuer", ""))
        if issuer.rstrip("/") != self.config.issuer.rstrip("/"):
            raise SsoFailed(
                f"The identity provider at {self.config.issuer} calls itself {issuer!r}: "
                "check the issuer URL setting."
            )
        for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(field), str):
                raise SsoFailed(f"The identity provider's discovery document has no {field}.")
        with self._lock:
            self._discovery = (time.monotonic(), document)
        return document

    def authorization_url(self, *, state: str, nonce: str, pkce: Pkce) -> str:
        endpoint = str(self.metadata()["authorization_endpoint"])
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": self.config.redirect_uri,
                "scope": self.config.scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": pkce.challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    # ------------------------------------------------------------------- the code

    def exchange(self, *, code: str, verifier: str) -> str:
        """Trade the authorization code (and the PKCE verifier) for an ID token."""
        metadata = self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.config.redirect_uri,
            "code_verifier": verifier,
        }
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        headers = {"Accept": "application/json"}
        if "client_secret_basic" in methods:
            # RFC 6749 2.3.1: both parts form-encoded before they go into Basic auth.
            client_id, secret = self.config.client_id, self.config.client_secret
            pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        else:
            form |= {"client_id": self.config.client_id, "client_secret": self.config.client_secret}
        try:
            response = self._http.post(
                str(metadata["token_endpoint"]),
                data=form,
                headers=headers,
            )
        except httpx.HTTPError as error:
            raise SsoFailed(
                f"Could not reach the identity provider's token endpoint: {error}."
            ) from None
        body = _json_or_none(response)
        if response.status_code != 200 or body is None:
            reason = (body or {}).get("error") or f"HTTP {response.status_code}"
            raise SsoFailed(f"The identity provider refused the sign-in code ({reason}).")
        id_token = body.get("id_token")
        if not isinstance(id_token, str):
            raise SsoFailed("The identity provider sent no ID token: is 'openid' in the scopes?")
        return id_token

    def verify(self, id_token: str, *, nonce: str) -> Identity:
        """Check the ID token's signature, issuer, audience, times and nonce; the person
        it names. :class:`SsoFailed` says which check failed."""
        metadata = self.metadata()
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise SsoFailed("The ID token is not a JWT.") from None
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise SsoFailed(f"The ID token is signed with {algorithm!r}, which is not accepted.")
        key = self._signing_key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key.key,
                algorithms=[str(algorithm)],
                audience=self.config.client_id,
                issuer=str(metadata["issuer"]),
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidAudienceError:
            raise SsoFailed("The ID token was issued to another application.") from None
        except jwt.InvalidIssuerError:
            raise SsoFailed("The ID token comes from another issuer.") from None
        except jwt.ExpiredSignatureError:
            raise SsoFailed("The ID token has expired. Sign in again.") from None
        except jwt.InvalidSignatureError:
            raise SsoFailed(
                "The ID token's signature does not match the provider's keys."
            ) from None
        except jwt.PyJWTError as error:
            raise SsoFailed(f"The ID token is not valid: {error}.") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise SsoFailed("The ID token was issued to another application.")
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise SsoFailed("The ID token does not belong to this sign-in (its nonce differs).")
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise SsoFailed(
                "The identity provider did not share an email address: allow the 'email' scope."
            )
        # An address the provider has not verified could be anyone's: matching accounts
        # by it would hand them over. Providers that never send the claim are trusted.
        if claims.get("email_verified") is False:
            raise SsoFailed(f"The identity provider has not verified {email}.")
        name = claims.get("name")
        return Identity(
            subject=str(claims["sub"]), email=email, name=name if isinstance(name, str) else None
        )

    # ------------------------------------------------------------------- keys

    def _signing_key(self, kid: object) -> jwt.PyJWK:
        for refresh in (False, True):
            keys = self._key_set(refresh=refresh)
            candidates = [k for k in keys.keys if kid is None or k.key_id == kid]
            if kid is None and len(candidates) > 1:
                raise SsoFailed("The ID token names no key and the provider has several.")
            if candidates:
                return candidates[0]
        raise SsoFailed("The ID token is signed with a key the provider does not publish.")

    def _key_set(self, *, refresh: bool) -> jwt.PyJWKSet:
        with self._lock:
            if not refresh and self._keys is not None and self._fresh(self._keys[0]):
                return self._keys[1]
        document = self._get_json(str(self.metadata()["jwks_uri"]), what="key set (JWKS)")
        try:
            keys = jwt.PyJWKSet.from_dict(document)
        except jwt.PyJWTError as error:
            raise SsoFailed(f"The identity provider's key set cannot be read: {error}.") from None
        with self._lock:
            self._keys = (time.monotonic(), keys)
        return keys

    def _get_json(self, url: str, *, what: str) -> dict[str, Any]:
        try:
            response = self._http.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            raise SsoFailed(
                f"Could not fetch the identity provider's {what} from {url}: {error}."
            ) from None
        body = _json_or_none(response)
        if response.status_code != 200 or body is None:
            raise SsoFailed(
                f"The identity provider's {what} at {url} answered HTTP {response.status_code}."
            )
        return body

    def _fresh(self, fetched_at: float) -> bool:
        return time.monotonic() - fetched_at < self.config.cache_seconds


def _json_or_none(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
