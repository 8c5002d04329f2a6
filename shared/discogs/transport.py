"""The one place that sends Discogs requests: auth, User-Agent, pacing, retries, errors.

Every request waits for its turn (:class:`PriorityGate`), then for the limiter, is sent
with the token in the ``Authorization`` header, and is answered, retried or turned into
a typed error. The token is never part of a URL, a log line or an error message.

A wait long enough for a person to notice (``NOTICEABLE_WAIT`` or more: the rate limit, or
a retry Discogs asked for) is told to the ``WAITS`` listener of the running context, if
any (``WAITS.set(listener)`` before the import starts; its tasks inherit it): called with
the seconds about to be waited and why, then with 0 when the wait is over. A command-line
progress bar shows it, so a pause does not look like a hang.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Mapping
from contextvars import ContextVar
from typing import Any, Literal

import httpx

from shared.discogs.errors import (
    BadToken,
    NotFound,
    RateLimited,
    Unavailable,
    UnexpectedResponse,
)
from shared.discogs.gate import Priority, PriorityGate
from shared.discogs.ratelimit import RateLimiter
from shared.discogs.timing import Clock

log = logging.getLogger(__name__)

Params = Mapping[str, str | int]

WaitReason = Literal["rate limit", "retry"]
WaitListener = Callable[[float, WaitReason], None]
WAITS: ContextVar[WaitListener | None] = ContextVar("discogs_waits", default=None)
NOTICEABLE_WAIT = 2.0
"""Seconds (on the transport's clock) from which a wait is told to ``WAITS``."""


def _told(seconds: float, reason: WaitReason) -> bool:
    listener = WAITS.get()
    if listener is None or seconds < NOTICEABLE_WAIT:
        return False
    listener(seconds, reason)
    return True


def _over(told: bool) -> None:
    listener = WAITS.get()
    if told and listener is not None:
        listener(0.0, "rate limit")


class DiscogsTokenAuth(httpx.Auth):
    """Adds ``Authorization: Discogs token=…`` to every request."""

    def __init__(self, token: str) -> None:
        self._header = f"Discogs token={token}"

    def __repr__(self) -> str:
        return "DiscogsTokenAuth(token=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def _retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds (the delta-seconds form; an HTTP date is ignored)."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw.strip()))
    except ValueError:
        return None


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return response.reason_phrase


class DiscogsTransport:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        token: str,
        base_url: str,
        user_agent: str,
        limiter: RateLimiter,
        clock: Clock,
    ) -> None:
        self._http = http
        self._auth = DiscogsTokenAuth(token)
        self._base = base_url.rstrip("/")
        self._headers = {"User-Agent": user_agent, "Accept": "application/json"}
        self.limiter = limiter
        self.clock = clock
        self._gate = PriorityGate()
        self.requests_sent = 0
        self.rate_limited = 0

    async def get_json(
        self, path: str, params: Params | None = None, priority: Priority = Priority.INTERACTIVE
    ) -> Any:
        """GET ``path`` (e.g. ``/oauth/identity``) and return its decoded JSON body."""
        while True:
            async with self._gate.turn(priority):
                told = False
                while (delay := self.limiter.delay_before_next(self.clock.now())) > 0:
                    told = _told(delay, "rate limit") or told
                    await self.clock.sleep(delay)
                _over(told)
                outcome = await self._attempt(path, params)
            if not isinstance(outcome, _Retry):
                return outcome
            told = _told(outcome.delay, "retry")
            await self.clock.sleep(outcome.delay)
            _over(told)

    async def _attempt(self, path: str, params: Params | None) -> Any:
        self.limiter.on_request(self.clock.now())
        self.requests_sent += 1
        try:
            response = await self._http.get(
                self._base + path, params=params, headers=self._headers, auth=self._auth
            )
        except httpx.TransportError as exc:
            decision = self.limiter.on_failure(self.clock.now(), None)
            log.info("Discogs %s: %s (attempt %d)", path, type(exc).__name__, decision.attempt)
            if not decision.retry:
                raise Unavailable(
                    f"Discogs did not answer {path} after {decision.attempt} attempts "
                    f"({type(exc).__name__})",
                    path=path,
                ) from exc
            return _Retry(decision.delay)
        status = response.status_code
        self.limiter.on_response(self.clock.now(), status, response.headers)
        log.debug("Discogs GET %s -> %d", path, status)
        if status == 429 or status >= 500:
            return self._failed(path, response)
        if status == 401:
            raise BadToken(_message(response), status=status, path=path)
        if status == 404:
            raise NotFound(_message(response), status=status, path=path)
        if not 200 <= status < 300:
            raise UnexpectedResponse(
                f"Discogs answered {status} to {path}: {_message(response)}",
                status=status,
                path=path,
            )
        try:
            return response.json()
        except ValueError as exc:
            raise UnexpectedResponse(
                f"Discogs sent a body that is not JSON for {path}", status=status, path=path
            ) from exc

    def _failed(self, path: str, response: httpx.Response) -> _Retry:
        status = response.status_code
        if status == 429:
            self.rate_limited += 1
        decision = self.limiter.on_failure(self.clock.now(), status, _retry_after(response.headers))
        log.info("Discogs %s: %d (attempt %d)", path, status, decision.attempt)
        if decision.retry:
            return _Retry(decision.delay)
        error = RateLimited if status == 429 else Unavailable
        raise error(
            f"Discogs answered {status} to {path} {decision.attempt} times in a row; giving up",
            status=status,
            path=path,
        )


class _Retry:
    __slots__ = ("delay",)

    def __init__(self, delay: float) -> None:
        self.delay = delay
