"""A pure, header-driven limiter for Discogs' moving-window rate limit (PRODUCT §2).

Discogs allows ``X-Discogs-Ratelimit`` requests (60 when authenticated) per IP in any
moving 60-second window and reports ``-Used`` / ``-Remaining`` on every response. The
limiter keeps the times of this program's own requests and an estimate of the times of
requests other programs on the same IP made (whatever ``Used`` says beyond ours), and
says how long to wait so the window is never overfilled. It never reads a clock, sleeps
or touches the network: the transport passes ``now`` in and does the waiting.

Spread, not burst: besides never overfilling the window, requests are paced at
``window / capacity`` seconds apart, with the first ``burst`` allowed back to back (a GCRA,
the "virtual scheduling" of ATM networks). Sending a window's worth at once and then
waiting for the oldest to leave the window makes a progress bar sit still for most of a
minute, which looks like a hang; paced, the same budget gives the same rate with steady
progress. The burst's head start costs at most one pause of about ``burst - 1`` paces when
the first window fills; after that the pace and the window agree.

Conservative by construction: our own requests are recorded at the moment their answer
arrived (the server counted them earlier), and another program's requests are assumed to
have been made at the moment we learnt of them, so every estimate expires no earlier
than the server's own record does.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LIMIT_HEADER = "X-Discogs-Ratelimit"
USED_HEADER = "X-Discogs-Ratelimit-Used"
REMAINING_HEADER = "X-Discogs-Ratelimit-Remaining"


EXPIRY_MARGIN = 1e-6
"""Seconds added to a wait for a request to leave the window (floating-point rounding)."""


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    window: float = 60.0
    """Seconds of the moving window."""
    default_limit: int = 60
    """Requests per window until the server says otherwise."""
    reserve: int = 0
    """Requests per window left unused for other programs on the same IP."""
    burst: int = 3
    """Requests that may go back to back before the pace applies (0: no pacing at all,
    the window alone limits: a window's worth at once, then a wait)."""
    max_retries: int = 6
    """Consecutive failed attempts (429, 5xx, dropped connection) retried before giving up."""
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    initial_latency: float = 0.5
    """Assumed seconds per request until some were measured (only for estimates)."""


@dataclass(frozen=True, slots=True)
class RetryDecision:
    retry: bool
    delay: float
    """Seconds to wait before the next attempt (also folded into ``delay_before_next``)."""
    attempt: int
    """How many consecutive failures this one makes."""


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


class RateLimiter:
    """Paces one program's requests within Discogs' per-IP moving window."""

    def __init__(self, policy: RateLimitPolicy | None = None, rng: random.Random | None = None):
        self.policy = policy or RateLimitPolicy()
        self._rng = rng or random.Random()
        self._limit = self.policy.default_limit
        self._ours: deque[float] = deque()
        self._foreign: deque[float] = deque()
        self._in_flight: deque[float] = deque()
        self._not_before = float("-inf")
        self._paced_at = float("-inf")
        """The pace's theoretical time of the next request (GCRA's TAT)."""
        self._failures = 0
        self._latency = self.policy.initial_latency

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    @property
    def latency(self) -> float:
        """Smoothed seconds from sending a request to its answer."""
        return self._latency

    def used(self, now: float) -> int:
        """Requests (ours, others', in flight) believed to be inside the window at ``now``."""
        self._prune(now)
        return len(self._ours) + len(self._foreign) + len(self._in_flight)

    def delay_before_next(self, now: float) -> float:
        """Seconds to wait before sending the next request; 0 when it may go now."""
        self._prune(now)
        wait = self._window_wait(now, sorted([*self._ours, *self._foreign]))
        return max(0.0, wait, self._not_before - now, self._pace_wait(now))

    def pace(self) -> float | None:
        """Seconds between paced requests at the current limit (None: not paced)."""
        burst = self.policy.burst
        if burst <= 0:
            return None
        return self.policy.window / self._capacity()

    def on_request(self, now: float) -> None:
        """A request is being sent at ``now``."""
        self._in_flight.append(now)
        interval = self.pace()
        if interval is not None:
            self._paced_at = max(self._paced_at, now) + interval

    def on_response(self, now: float, status: int, headers: Mapping[str, str]) -> None:
        """Any HTTP answer arrived (including 429 and 5xx, before ``on_failure``)."""
        self._complete(now)
        limit = _header_int(headers, LIMIT_HEADER)
        if limit is not None and limit > 0:
            self._limit = limit
        used = _header_int(headers, USED_HEADER)
        remaining = _header_int(headers, REMAINING_HEADER)
        if used is None and remaining is not None and limit is not None:
            used = max(0, limit - remaining)
        if used is not None:
            self._reconcile(now, used)
        if status != 429 and status < 500:
            self._failures = 0

    def on_failure(
        self, now: float, status: int | None, retry_after: float | None = None
    ) -> RetryDecision:
        """An attempt failed: 429, 5xx, or (``status=None``) no answer at all.

        Call ``on_response`` first when an answer arrived. Returns whether to retry and
        after how long: ``Retry-After`` when given, else exponential backoff with jitter.
        """
        if status is None:
            self._complete(now)
        self._failures += 1
        attempt = self._failures
        if attempt > self.policy.max_retries:
            return RetryDecision(retry=False, delay=0.0, attempt=attempt)
        if retry_after is not None and retry_after >= 0:
            delay = retry_after
        else:
            ceiling = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** (attempt - 1))
            delay = ceiling / 2 + self._rng.uniform(0, ceiling / 2)
        self._not_before = max(self._not_before, now + delay)
        return RetryDecision(retry=True, delay=delay, attempt=attempt)

    def estimate_seconds(self, now: float, requests: int) -> float:
        """Seconds that ``requests`` more sequential requests will take from ``now``."""
        self._prune(now)
        return _simulate(
            now=max(now, self._not_before),
            start=now,
            occupied=[*self._ours, *self._foreign],
            own=self._ours,
            requests=requests,
            capacity=self._capacity(),
            window=self.policy.window,
            latency=self._latency,
            pace=self.pace(),
            burst=self.policy.burst,
            paced_at=self._paced_at,
        )

    # ---- internals -------------------------------------------------------------------

    def _capacity(self) -> int:
        return max(1, self._limit - self.policy.reserve)

    def _pace_wait(self, now: float) -> float:
        """The pace's wait; the burst's head start only while fewer than ``burst`` of our own
        requests are in the window (a start, or a start again after a pause): in a full
        window each wait for it would be followed by another burst."""
        interval = self.pace()
        if interval is None:
            return 0.0
        occupied = len(self._ours) + len(self._in_flight)
        head_start = self.policy.burst - 1 if occupied < self.policy.burst else 0
        return self._paced_at - head_start * interval - now

    def _window_wait(self, now: float, times: list[float]) -> float:
        occupied = len(times) + len(self._in_flight)
        capacity = self._capacity()
        if occupied < capacity:
            return 0.0
        must_expire = occupied - capacity + 1
        if must_expire > len(times):  # only answers still in flight could free room
            return self.policy.window
        # a hair beyond the instant it leaves: ``now + wait`` must not round to before it
        return times[must_expire - 1] + self.policy.window - now + EXPIRY_MARGIN

    def _prune(self, now: float) -> None:
        horizon = now - self.policy.window
        for times in (self._ours, self._foreign):
            while times and times[0] <= horizon:
                times.popleft()

    def _complete(self, now: float) -> None:
        if self._in_flight:
            sent = self._in_flight.popleft()
            self._latency = 0.8 * self._latency + 0.2 * max(0.0, now - sent)
        self._ours.append(now)

    def _reconcile(self, now: float, used: int) -> None:
        """Make our belief agree with the server's count of requests in its window."""
        self._prune(now)
        foreign = max(0, used - len(self._ours))
        while len(self._foreign) < foreign:
            self._foreign.append(now)
        while len(self._foreign) > foreign:
            self._foreign.popleft()


def _simulate(
    *,
    now: float,
    start: float,
    occupied: Iterable[float],
    requests: int,
    capacity: int,
    window: float,
    latency: float,
    pace: float | None = None,
    burst: int = 0,
    paced_at: float = float("-inf"),
    own: Iterable[float] = (),
) -> float:
    """When ``requests`` more sequential requests end; ``occupied`` are the window's times
    (ours and others'), ``own`` ours alone (the pace's head start looks at those)."""
    times: deque[float] = deque(sorted(occupied))
    mine: deque[float] = deque(sorted(own))
    t = now
    for _ in range(max(0, requests)):
        while times and times[0] <= t - window:
            times.popleft()
        while mine and mine[0] <= t - window:
            mine.popleft()
        if pace is not None:
            head_start = burst - 1 if len(mine) < burst else 0
            t = max(t, paced_at - head_start * pace)
            paced_at = max(paced_at, t) + pace
            while times and times[0] <= t - window:
                times.popleft()
        if len(times) >= capacity:
            t = times[len(times) - capacity] + window
            while times and times[0] <= t - window:
                times.popleft()
        t += latency
        times.append(t)
        mine.append(t)
    return max(0.0, t - start)


def minimum_seconds(
    requests: int, *, limit: int, window: float, latency: float, burst: int = 0
) -> float:
    """The least time ``requests`` sequential requests of ``latency`` seconds each can take
    under a moving window of ``limit`` per ``window`` seconds, starting from an empty window
    (``burst`` > 0: paced as ``RateLimiter`` paces them with that burst)."""
    capacity = max(1, limit)
    return _simulate(
        now=0.0,
        start=0.0,
        occupied=(),
        requests=requests,
        capacity=capacity,
        window=window,
        latency=latency,
        pace=window / capacity if burst > 0 else None,
        burst=burst,
    )
