"""Discogs import against the fake's real 60-per-moving-minute window, in scaled time.

Time scale: ``SCALE`` real seconds per simulated second (0.1: one simulated minute of
the rate-limit window lasts 6 real seconds). The fake, our limiter and the community
client's backoff all run on the same scaled clock, so "sim s" below are what the import
would take against api.discogs.com with the same per-request work.

"limit min" is the least time the 60/min moving window allows for the same sequence of
requests, each taking the work time measured for it in the same run (from its answer at
the server to the next request, less time the client deliberately waited): a client
within 5 % of it wastes next to nothing of the budget.

Rows: Kleio's importer (5,000 items: identity + folders + 50 pages of 100); the same
import with python3-discogs-client (its own request pattern: an extra profile request
and 50 items per page unless told otherwise, its token in the URL, backoff on 429);
and, where the window binds, both fetching release details as well.

Run: ``uv run python -m tests.benchmarks.discogs_import``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from typing import Any

import discogs_client
import discogs_client.utils
import httpx
from rich.console import Console
from rich.table import Table

from shared.discogs import (
    DiscogsClient,
    Importer,
    InMemorySink,
    RateLimiter,
    ScaledClock,
)
from tests.fakes.discogs import FakeDiscogs, make_collection, serve

SCALE = 0.1
ITEMS = 5_000
DETAILS = 100
LIMIT = 60
WINDOW = 60.0
TOKEN = "bench-token"

Row = dict[str, Any]


class WaitCountingClock:
    """The shared scaled clock, noting when and how long a client chose to wait."""

    def __init__(self, clock: ScaledClock) -> None:
        self._clock = clock
        self.waits: list[tuple[float, float]] = []

    def now(self) -> float:
        return self._clock.now()

    async def sleep(self, seconds: float) -> None:
        self.waits.append((self._clock.now(), max(0.0, seconds)))
        await self._clock.sleep(seconds)


def work_times(
    answers: Sequence[float], end: float, waits: Sequence[tuple[float, float]]
) -> list[float]:
    """Per request, the time from its answer at the server to the next request's (or the
    end), less the time the client deliberately waited in between: its work."""
    bounds = [*answers, end]
    work = []
    for start, stop in itertools.pairwise(bounds):
        waited = sum(d for at, d in waits if start <= at < stop)
        work.append(max(0.0, stop - start - waited))
    return work


def limit_minimum(work: Sequence[float]) -> float:
    """Least time for these requests, in order, each taking its own work time, if the only
    other constraint is: at most LIMIT in any WINDOW seconds."""
    sent: list[float] = []
    t = 0.0
    for k, duration in enumerate(work):
        if k >= LIMIT:
            t = max(t, sent[k - LIMIT] + WINDOW)
        sent.append(t)
        t += duration
    return t


def _row(
    client: str,
    scenario: str,
    fake: FakeDiscogs,
    span: tuple[float, float],
    real: float,
    waits: Sequence[tuple[float, float]],
    complete: bool,
) -> Row:
    start, end = span
    answers = [entry.at for entry in fake.log]
    first = work_times([start], answers[0], waits)[0] if answers else 0.0
    floor = first + limit_minimum(work_times(answers, end, waits))
    sim = end - start
    return {
        "benchmark": "discogs_import",
        "client": client,
        "scenario": scenario,
        "requests": len(fake.log),
        "429s": fake.too_many,
        "sim_s": round(sim, 1),
        "real_s": round(real, 2),
        "limit_min_sim_s": round(floor, 1),
        "vs_min": round(sim / floor, 3) if floor else None,
        "max_in_window": fake.max_in_window(),
        "complete": complete,
        "time_scale": f"1 sim min = {60 * SCALE:g} s real",
    }


async def kleio(details: int) -> Row:
    scaled = ScaledClock(SCALE)
    clock = WaitCountingClock(scaled)
    collection = make_collection(ITEMS)
    fake = FakeDiscogs(collection, scaled, token=TOKEN, limit=LIMIT, window=WINDOW)
    sink = InMemorySink()
    if details:  # the server already knows all but ``details`` releases
        sink.server_known = set(sorted(collection.releases)[details:])
    async with serve(fake) as url, httpx.AsyncClient(timeout=30) as http:
        client = DiscogsClient(http, TOKEN, base_url=url, limiter=RateLimiter(), clock=clock)
        start_sim, start_real = scaled.now(), time.monotonic()
        result = await Importer(client, sink, details=bool(details)).run()
        span, real = (start_sim, scaled.now()), time.monotonic() - start_real
    scenario = f"{ITEMS:,} items" + (f" + {details} release details" if details else "")
    done = result.complete and len(sink.items) == ITEMS and len(sink.details) == details
    return _row("Kleio importer", scenario, fake, span, real, clock.waits, done)


def _community_import(url: str, per_page: int, details: int) -> tuple[int, int]:
    client = discogs_client.Client("KleioBenchmark/1.0", user_token=TOKEN)
    client._base_url = url
    me = client.identity()
    folders = me.collection_folders
    releases = folders[0].releases
    releases.per_page = per_page
    releases.sort("added", "asc")
    instances = {item.instance_id for item in releases}
    fetched = 0
    for release_id in sorted({item.id for item in releases})[:details]:
        fetched += len(client.release(release_id).tracklist) >= 0
    return len(instances), fetched


async def community(per_page: int, details: int) -> Row:
    scaled = ScaledClock(SCALE)
    collection = make_collection(ITEMS)
    fake = FakeDiscogs(
        collection, scaled, token=TOKEN, limit=LIMIT, window=WINDOW, allow_query_token=True
    )
    waits: list[tuple[float, float]] = []

    def scaled_sleep(seconds: float) -> None:
        waits.append((scaled.now(), seconds))
        time.sleep(seconds * SCALE)

    original = discogs_client.utils.sleep
    discogs_client.utils.sleep = scaled_sleep
    try:
        async with serve(fake) as url:
            start_sim, start_real = scaled.now(), time.monotonic()
            instances, fetched = await asyncio.to_thread(_community_import, url, per_page, details)
            span, real = (start_sim, scaled.now()), time.monotonic() - start_real
    finally:
        discogs_client.utils.sleep = original
    scenario = f"{ITEMS:,} items, per_page={per_page}" + (
        f" + {details} release details" if details else ""
    )
    done = instances == ITEMS and fetched == details
    return _row("python3-discogs-client", scenario, fake, span, real, waits, done)


async def main() -> list[Row]:
    return [
        await kleio(0),
        await community(50, 0),
        await community(100, 0),
        await kleio(DETAILS),
        await community(100, DETAILS),
    ]


def render(rows: list[Row]) -> Table:
    title = f"Discogs import vs the 60/min moving window ({rows[0]['time_scale']})"
    table = Table(title=title)
    columns = [
        ("client", "client"),
        ("scenario", "scenario"),
        ("requests", "requests"),
        ("429s", "429s"),
        ("sim_s", "sim s"),
        ("limit_min_sim_s", "limit min sim s"),
        ("vs_min", "÷ min"),
        ("max_in_window", "max/60 s"),
        ("real_s", "real s"),
        ("complete", "complete"),
    ]
    for _, title in columns:
        table.add_column(title, justify="left" if title in ("client", "scenario") else "right")
    for row in rows:
        table.add_row(*(str(row[key]) for key, _ in columns))
    return table


if __name__ == "__main__":
    console = Console()
    if not console.is_terminal:
        console.width = 170
    console.print(render(asyncio.run(main())))
