import itertools
import random
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.discogs.ratelimit import RateLimiter, RateLimitPolicy, minimum_seconds


def headers(limit: int, used: int) -> dict[str, str]:
    return {
        "X-Discogs-Ratelimit": str(limit),
        "X-Discogs-Ratelimit-Used": str(used),
        "X-Discogs-Ratelimit-Remaining": str(max(0, limit - used)),
    }


class ModelServer:
    """Counts arrivals in a moving window the way Discogs does."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self.recent: deque[float] = deque()
        self.arrivals: list[float] = []
        self.rejected = 0

    def arrive(self, at: float) -> int:
        while self.recent and self.recent[0] <= at - self.window:
            self.recent.popleft()
        if len(self.recent) >= self.limit:
            self.rejected += 1
            return 429
        self.recent.append(at)
        self.arrivals.append(at)
        return 200

    def max_in_window(self) -> int:
        best, start = 0, 0
        for end, at in enumerate(self.arrivals):
            while self.arrivals[start] <= at - self.window:
                start += 1
            best = max(best, end - start + 1)
        return best


def drive(
    limiter: RateLimiter, server: ModelServer, steps: list[tuple[float, float, float]]
) -> None:
    now = 0.0
    for gap, latency, arrival_share in steps:
        now += limiter.delay_before_next(now)
        limiter.on_request(now)
        status = server.arrive(now + latency * arrival_share)
        now += latency
        limiter.on_response(now, status, headers(server.limit, len(server.recent)))
        now += gap


BURST_ONLY = RateLimitPolicy(burst=0)
"""No pacing: the window alone limits (a window's worth at once, then a wait)."""


@settings(max_examples=150, deadline=None)
@given(
    burst=st.sampled_from([0, 1, 5]),
    limit=st.integers(min_value=1, max_value=60),
    steps=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=3),
            st.floats(min_value=0.001, max_value=2),
            st.floats(min_value=0, max_value=1),
        ),
        min_size=1,
        max_size=250,
    ),
)
def test_never_more_than_the_limit_in_any_window(
    burst: int, limit: int, steps: list[tuple[float, float, float]]
) -> None:
    limiter = RateLimiter(RateLimitPolicy(default_limit=limit, burst=burst))
    server = ModelServer(limit)
    drive(limiter, server, steps)
    assert server.max_in_window() <= limit
    assert server.rejected == 0


def test_unpaced_a_burst_within_the_budget_is_not_delayed() -> None:
    limiter = RateLimiter(BURST_ONLY)
    server = ModelServer(60)
    drive(limiter, server, [(0.0, 0.1, 0.5)] * 52)
    assert server.arrivals[-1] < 52 * 0.1  # no waiting at all for 52 requests


def test_requests_are_spread_evenly_instead_of_a_burst_then_a_stall() -> None:
    limiter = RateLimiter()  # the default: paced, a burst of 3
    server = ModelServer(60)
    drive(limiter, server, [(0.0, 0.1, 0.5)] * 300)
    sent = server.arrivals
    assert limiter.pace() == pytest.approx(1.0)
    assert sent[2] < 3 * 0.1  # the first three go back to back
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert max(gaps) < 3.5  # one short pause when the first window fills, never a stall
    assert sorted(gaps)[-2] <= 1.0 + 0.1 + 1e-5  # otherwise one per second (+ a latency)
    assert server.max_in_window() <= 60 and server.rejected == 0
    unpaced = ModelServer(60)
    drive(RateLimiter(BURST_ONLY), unpaced, [(0.0, 0.1, 0.5)] * 300)
    stalls = [b - a for a, b in itertools.pairwise(unpaced.arrivals)]
    assert max(stalls) > 50  # what the pace avoids: a window's worth, then ~54 s of nothing
    # the same rate (one a second once the window is full): the pace costs at most the head
    # start bursting has in the last window, never more than one window in all
    assert sent[-1] - sent[100] == pytest.approx(199.0, abs=0.5)
    assert sent[-1] <= unpaced.arrivals[-1] + 60


def test_the_pace_follows_a_lowered_limit() -> None:
    limiter = RateLimiter()
    limiter.on_request(0.0)
    limiter.on_response(0.1, 200, headers(25, 1))
    assert limiter.pace() == pytest.approx(60 / 25)


def test_the_61st_request_waits_for_the_first_to_leave_the_window() -> None:
    limiter = RateLimiter(BURST_ONLY)
    for i in range(60):
        limiter.on_request(float(i) / 10)
        limiter.on_response(float(i) / 10, 200, headers(60, i + 1))
    assert limiter.delay_before_next(6.0) == pytest.approx(54.0)
    assert limiter.delay_before_next(60.0) == 0.0


def test_budget_used_by_another_program_is_respected() -> None:
    limiter = RateLimiter(BURST_ONLY)
    for i in range(10):
        limiter.on_request(float(i))
        limiter.on_response(float(i), 200, headers(60, i + 1))
    limiter.on_request(10.0)
    limiter.on_response(10.0, 200, headers(60, 55))  # 44 requests were not ours
    sent = 0
    now = 10.0
    while limiter.delay_before_next(now) == 0.0:
        limiter.on_request(now)
        limiter.on_response(now, 200, {})
        sent += 1
    assert sent == 5
    assert limiter.delay_before_next(now) == pytest.approx(50.0)  # our oldest (t=0) leaves at 60


def test_a_lower_count_from_the_server_frees_budget_believed_used() -> None:
    limiter = RateLimiter()
    limiter.on_request(0.0)
    limiter.on_response(0.0, 200, headers(60, 60))
    assert limiter.delay_before_next(1.0) > 0
    limiter.on_request(1.0)  # as when another program's requests left the window
    limiter.on_response(1.0, 200, headers(60, 2))
    assert limiter.delay_before_next(1.0) == 0.0


def test_a_lowered_limit_is_adopted() -> None:
    limiter = RateLimiter(BURST_ONLY)
    for i in range(5):
        limiter.on_request(float(i))
        limiter.on_response(float(i), 200, headers(5, i + 1))
    assert limiter.limit == 5
    assert limiter.delay_before_next(5.0) == pytest.approx(55.0)


def test_retry_after_is_honoured() -> None:
    limiter = RateLimiter()
    limiter.on_request(0.0)
    limiter.on_response(0.0, 429, headers(60, 10))
    decision = limiter.on_failure(0.0, 429, retry_after=17.0)
    assert decision.retry
    assert decision.delay == 17.0
    assert limiter.delay_before_next(1.0) == pytest.approx(16.0)


def test_backoff_grows_with_jitter_and_gives_up_after_the_bounded_retries() -> None:
    policy = RateLimitPolicy(max_retries=4, backoff_base=2.0)
    limiter = RateLimiter(policy, rng=random.Random(7))
    delays = []
    for _ in range(4):
        limiter.on_request(0.0)
        decision = limiter.on_failure(0.0, None)
        assert decision.retry
        delays.append(decision.delay)
    for attempt, delay in enumerate(delays, start=1):
        ceiling = 2.0 * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling
    assert len(set(delays)) == 4
    limiter.on_request(0.0)
    assert not limiter.on_failure(0.0, 503).retry


def test_a_success_resets_the_failure_count() -> None:
    limiter = RateLimiter(RateLimitPolicy(max_retries=1))
    limiter.on_request(0.0)
    assert limiter.on_failure(0.0, None).retry
    limiter.on_request(1.0)
    limiter.on_response(1.0, 200, {})
    assert limiter.consecutive_failures == 0
    limiter.on_request(2.0)
    assert limiter.on_failure(2.0, None).retry


def test_garbage_headers_are_ignored() -> None:
    limiter = RateLimiter()
    limiter.on_request(0.0)
    limiter.on_response(0.0, 200, {"X-Discogs-Ratelimit": "lots", "X-Discogs-Ratelimit-Used": "-3"})
    assert limiter.limit == 60
    assert limiter.used(0.0) == 1


def test_estimate_matches_the_minimum_for_a_fresh_window() -> None:
    limiter = RateLimiter(RateLimitPolicy(initial_latency=0.5, burst=0))
    assert limiter.estimate_seconds(0.0, 52) == pytest.approx(26.0)
    paced = RateLimiter(RateLimitPolicy(initial_latency=0.5))
    expected = minimum_seconds(52, limit=60, window=60, latency=0.5, burst=3)
    assert paced.estimate_seconds(0.0, 52) == pytest.approx(expected)
    assert 26.0 < expected <= 52 * 1.0  # a head start, then one a second (not 26 s, then 34 idle)
    assert minimum_seconds(52, limit=60, window=60, latency=0.5) == pytest.approx(26.0)
    assert minimum_seconds(61, limit=60, window=60, latency=0.5) == pytest.approx(60.5 + 0.5)
