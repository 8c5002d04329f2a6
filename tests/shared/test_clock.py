from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.clock import HLC, MAX_COUNTER, ClockError, HybridClock, cap


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_stamps_increase_even_when_the_wall_clock_stands_still_or_goes_back() -> None:
    wall = FakeWall(1_000)
    clock = HybridClock("a", wall)
    first = clock.now()
    second = clock.now()
    wall.ms = 500  # the wall clock jumps back
    third = clock.now()
    assert first < second < third
    assert third.physical_ms == 1_000 and third.counter == 2


def test_observe_moves_past_a_remote_stamp() -> None:
    clock = HybridClock("a", FakeWall(1_000))
    merged = clock.observe(HLC(5_000, 7, "b"))
    assert merged > HLC(5_000, 7, "b")
    assert clock.now() > merged


def test_observe_caps_a_remote_clock_far_in_the_future() -> None:
    clock = HybridClock("a", FakeWall(1_000))
    merged = clock.observe(HLC(10_000_000, 0, "b"), max_drift_ms=60_000)
    assert merged.physical_ms == 61_000


def test_counter_overflow_borrows_the_next_millisecond() -> None:
    clock = HybridClock("a", FakeWall(1_000))
    clock.observe(HLC(1_000, MAX_COUNTER, "b"))
    assert clock.last.physical_ms == 1_001 and clock.last.counter == 0


def test_cap() -> None:
    assert cap(HLC(200, 3, "x"), now_ms=100, max_drift_ms=50) == HLC(150, 3, "x")
    assert cap(HLC(120, 3, "x"), now_ms=100, max_drift_ms=50) == HLC(120, 3, "x")


@pytest.mark.parametrize(
    "text", ["", "123-00001-a", "0000000000000001-1-a", "0000000000000001-00001-", "x"]
)
def test_malformed_stamps_are_rejected(text: str) -> None:
    with pytest.raises(ClockError):
        HLC.parse(text)
    with pytest.raises(ClockError):
        HybridClock("bad node!")


@given(
    st.tuples(
        st.integers(0, 10**15), st.integers(0, MAX_COUNTER), st.sampled_from(["a", "b", "node-2"])
    ),
    st.tuples(
        st.integers(0, 10**15), st.integers(0, MAX_COUNTER), st.sampled_from(["a", "b", "node-2"])
    ),
)
def test_text_order_equals_tuple_order(
    left: tuple[int, int, str], right: tuple[int, int, str]
) -> None:
    a, b = HLC(*left), HLC(*right)
    assert HLC.parse(a.encode()) == a
    if a.node == b.node or a.physical_ms != b.physical_ms or a.counter != b.counter:
        assert (a < b) == (a.encode() < b.encode())
