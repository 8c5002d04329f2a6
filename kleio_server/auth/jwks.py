"""The issuer's signing keys: OIDC discovery, then the JWKS, cached and refetched sparingly.

Keys are fetched on first use. A token signed with a key id the cache does not know
triggers one refetch (the issuer may have rotated its keys), but at most once per
``refresh_min_interval`` so a stream of tokens with made-up key ids cannot turn the
server into a load generator against the issuer. Concurrent callers share a fetch:
whoever waits on the lock while another fetch runs uses that fetch's outcome.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key, KeySet

from kleio_server.auth.errors import IssuerUnavailable

logger = logging.getLogger(__name__)


class JWKSCache:
    """Fetches and caches the signing keys of one OIDC issuer."""

    def __init__(
        self,
        *,
        issuer: str,
        http: httpx.AsyncClient,
        refresh_min_interval: float,
        clock: Callable[[], float],
    ) -> None:
        self._issuer = issuer
        self._http = http
        self._refresh_min_interval = refresh_min_interval
        self._clock = clock
        self._lock = asyncio.Lock()
        self._jwks_uri: str | None = None
        self._keys: KeySet | None = None
        # Fetches finished; lock waiters compare it to tell that a fetch ran meanwhile.
        self._attempts = 0
        self._last_error: IssuerUnavailable | None = None
        self._last_refetch: float | None = None
        # Bumped whenever a fetch replaces the keys, so a verdict reached with older keys
        # (a token of a key since retired) is not trusted any more.
        self.generation = 0

    async def current(self) -> KeySet:
        """The cached key set, fetched first if there is none yet."""
        if self._keys is not None:
            return self._keys
        attempts = self._attempts
        async with self._lock:
            if self._keys is not None:
                return self._keys
            self._raise_if_waited_for_a_failure(attempts)
            return await self._fetch()

    async def refetch_for_unknown_kid(self) -> KeySet:
        """Refetch because a token names a key we lack, unless that happened too recently.

        Returns the (possibly unchanged) key set to look the key up in again.
        """
        attempts = self._attempts
        async with self._lock:
            self._raise_if_waited_for_a_failure(attempts)
            fetched_meanwhile = self._attempts != attempts
            if self._keys is not None and (fetched_meanwhile or not self._may_refetch()):
                return self._keys
            self._last_refetch = self._clock()
            logger.info("unknown signing key id; refetching the issuer's JWKS")
            return await self._fetch()

    def _raise_if_waited_for_a_failure(self, attempts_before_waiting: int) -> None:
        """Share the outcome of a fetch that failed while this caller waited for the lock."""
        if self._attempts != attempts_before_waiting and self._last_error is not None:
            raise IssuerUnavailable(self._last_error.description)

    def _may_refetch(self) -> bool:
        if self._last_refetch is None:
            return True
        elapsed = self._clock() - self._last_refetch
        return elapsed >= self._refresh_min_interval or elapsed < 0

    async def _fetch(self) -> KeySet:
        try:
            if self._jwks_uri is None:
                self._jwks_uri = await self._discover_jwks_uri()
            keys = _signing_keys(await self._get_json(self._jwks_uri, "JWKS"))
        except IssuerUnavailable as error:
            self._last_error = error
            raise
        finally:
            # Counted once the outcome is known, so that everyone who queued on the lock
            # during this fetch sees the count change and takes this outcome.
            self._attempts += 1
        self._last_error = None
        self._keys = keys
        self.generation += 1
        return keys

    async def _discover_jwks_uri(self) -> str:
        url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = await self._get_json(url, "discovery document")
        if document.get("issuer") != self._issuer:
            # OIDC Discovery §4.3: the document must name exactly the issuer we asked.
            logger.error("discovery document at %s names a different issuer", url)
            raise IssuerUnavailable("identity provider metadata names a different issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            logger.error("discovery document at %s has no jwks_uri", url)
            raise IssuerUnavailable("identity provider metadata has no jwks_uri")
        return jwks_uri

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("cannot fetch the issuer's %s from %s: %s", what, url, error)
            raise IssuerUnavailable(f"identity provider unavailable ({what})") from error
        if not isinstance(body, dict):
            logger.warning("the issuer's %s at %s is not a JSON object", what, url)
            raise IssuerUnavailable(f"identity provider returned an invalid {what}")
        return body


def _signing_keys(document: dict[str, Any]) -> KeySet:
    """Import the JWKS, keeping the keys that may verify signatures.

    A key this library cannot read (an unknown key type, a broken entry) is skipped
    rather than failing the whole set, as RFC 7517 §5 asks.
    """
    raw_keys = document.get("keys")
    if not isinstance(raw_keys, list):
        raise IssuerUnavailable("identity provider returned an invalid JWKS")
    keys: list[Key] = []
    for raw in raw_keys:
        if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
            continue
        if "verify" not in raw.get("key_ops", ["verify"]):
            continue
        try:
            keys.append(JWKRegistry.import_key(raw))
        except (JoseError, ValueError, TypeError) as error:
            logger.warning("skipping an unreadable key in the issuer's JWKS: %s", error)
    if not keys:
        raise IssuerUnavailable("identity provider published no usable signing key")
    return KeySet(keys)
