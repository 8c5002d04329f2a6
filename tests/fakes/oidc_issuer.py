"""An in-process OIDC issuer shaped like Zitadel, for testing token verification.

It serves ``/.well-known/openid-configuration`` and the JWKS through an
``httpx.MockTransport``, counts the fetches, can fail on demand, rotates keys, and
mints tokens with any claims and headers, including the classic attacks (``alg: none``,
HS256 signed with the public key as the shared secret).

    clock = ManualClock()
    issuer = FakeOIDCIssuer(clock=clock)
    async with issuer.client() as http:
        verifier = OIDCVerifier(issuer=issuer.issuer, audience=issuer.audience, http=http,
                                clock=clock)
        await verifier.verify(issuer.mint())
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, KeyParameters, KeySet, OKPKey, RSAKey

ZITADEL_ROLES_CLAIM = "urn:zitadel:iam:org:project:roles"
Failure = Literal["connect", "status", "garbage"]


@dataclass
class ManualClock:
    """A wall clock that moves only when told to; pass it as ``clock=``."""

    now: float = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@functools.cache
def _pooled_rsa_key(index: int) -> RSAKey:
    # RSA key generation costs ~60 ms; tests share a small pool instead of paying per issuer.
    parameters: KeyParameters = {"kid": f"rsa-{index}", "use": "sig", "alg": "RS256"}
    return RSAKey.generate_key(2048, parameters)


@dataclass
class FakeOIDCIssuer:
    """An issuer with a current RSA key (RS256), an EC key (ES256) and an Ed25519 key."""

    clock: ManualClock = field(default_factory=ManualClock)
    issuer: str = "https://kleio-test.zitadel.example"
    audience: str = "284562949177049091"  # Zitadel: the project id
    client_id: str = "284562949177114627@kleio"
    jwks_path: str = "/oauth/v2/keys"
    failure: Failure | None = None
    latency: float = 0.0
    discovery_fetches: int = 0
    jwks_fetches: int = 0
    _next_rsa: int = field(default=0, init=False)
    rsa_key: RSAKey = field(init=False)
    ec_key: ECKey = field(init=False)
    ed_key: OKPKey = field(init=False)
    published: list[Key] = field(init=False)

    def __post_init__(self) -> None:
        self.rsa_key = self.new_rsa_key()
        self.ec_key = ECKey.generate_key("P-256", {"kid": "ec-0", "use": "sig", "alg": "ES256"})
        self.ed_key = OKPKey.generate_key("Ed25519", {"kid": "ed-0", "use": "sig", "alg": "EdDSA"})
        self.published = [self.rsa_key, self.ec_key, self.ed_key]

    # --- keys -----------------------------------------------------------------------

    def new_rsa_key(self) -> RSAKey:
        """A fresh RSA key (not published); distinct from every key handed out before."""
        key = _pooled_rsa_key(self._next_rsa)
        self._next_rsa += 1
        return key

    def rotate(self, *, keep_old: bool = True) -> RSAKey:
        """Sign with a new RSA key from now on and publish it (keeping the old one or not)."""
        old = self.rsa_key
        self.rsa_key = self.new_rsa_key()
        self.published = [key for key in self.published if keep_old or key is not old]
        self.published.append(self.rsa_key)
        return self.rsa_key

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet(list(self.published)).as_dict(private=False))

    # --- HTTP -----------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.latency)  # always yield, so concurrent callers interleave
        if self.failure == "connect":
            raise httpx.ConnectError("issuer unreachable", request=request)
        if self.failure == "status":
            return httpx.Response(503, text="upstream unavailable")
        if self.failure == "garbage":
            return httpx.Response(200, text="<html>maintenance</html>")
        if request.url.path == "/.well-known/openid-configuration":
            self.discovery_fetches += 1
            return httpx.Response(200, json=self.discovery_document())
        if request.url.path == self.jwks_path:
            self.jwks_fetches += 1
            return httpx.Response(200, json=self.jwks())
        return httpx.Response(404)

    def discovery_document(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/oauth/v2/authorize",
            "token_endpoint": f"{self.issuer}/oauth/v2/token",
            "jwks_uri": f"{self.issuer}{self.jwks_path}",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    # --- tokens ---------------------------------------------------------------------

    def claims(self, drop: Iterable[str] = (), **overrides: Any) -> dict[str, Any]:
        """A Zitadel-like access token's claims, valid for an hour from the clock's now."""
        now = int(self.clock())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "279384817267384321",
            "aud": [self.audience, self.client_id],
            "client_id": self.client_id,
            "exp": now + 3600,
            "iat": now,
            "nbf": now,
            "jti": "279384817267384322",
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            ZITADEL_ROLES_CLAIM: {"kleio.user": {"279384817267380001": "kleio.example.org"}},
        }
        claims.update(overrides)
        for name in drop:
            claims.pop(name, None)
        return claims

    def mint(
        self,
        claims: Mapping[str, Any] | None = None,
        *,
        alg: str = "RS256",
        key: Key | None = None,
        header: Mapping[str, Any] | None = None,
    ) -> str:
        """A token signed with ``key`` (default: the current key for ``alg``)."""
        signing_key = key if key is not None else self._key_for(alg)
        full_header = {"alg": alg, "kid": signing_key.kid, **(header or {})}
        payload = dict(self.claims() if claims is None else claims)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "EdDSA", SecurityWarning)
            return jwt.encode(full_header, payload, signing_key, algorithms=[alg])

    def mint_unsigned(self, claims: Mapping[str, Any] | None = None) -> str:
        """An ``alg: none`` token with an empty signature."""
        header = {"alg": "none", "typ": "JWT", "kid": self.rsa_key.kid}
        return f"{_b64_json(header)}.{_b64_json(self.claims() if claims is None else claims)}."

    def mint_hs256_with_public_key(self, claims: Mapping[str, Any] | None = None) -> str:
        """The key-confusion attack: HMAC-signed with the issuer's public RSA key as secret."""
        public_pem = self.rsa_key.as_pem(private=False)
        header = {"alg": "HS256", "typ": "JWT", "kid": self.rsa_key.kid}
        body = self.claims() if claims is None else claims
        signing_input = f"{_b64_json(header)}.{_b64_json(body)}"
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"

    def _key_for(self, alg: str) -> Key:
        if alg.startswith("ES"):
            return self.ec_key
        if alg == "EdDSA":
            return self.ed_key
        return self.rsa_key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64_json(value: Mapping[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())
