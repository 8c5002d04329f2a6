"""The desktop's offline views over a store of 5,000 records and 50,000 plays (issue 10):
the full status-annotated list, one search keystroke over 10,000 records, a record's page
and a year of analytics, each against baselines measured in the same run: the old query
path of the same view (whole ORM rows, every release validated, every play's instant
parsed in Python) and a trivial SQLite query through the same store.

The stores are built once (``tests.demo.seed_demo``) and kept under the temp directory,
keyed by the demo's seed and sizes and the store's schema; each run works on a copy.
"Right after a play" logs a play (untimed) before each call: the kept views patched with
it, against the same call with everything kept forgotten first (read afresh, the baseline).
Figures are medians; "cpu ms" is the process's CPU time, which a shared, loaded machine
inflates less than the wall clock.

    uv run python -m tests.benchmarks.desktop_queries
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.queries import analytics, collection, records, rows
from kleio_desktop.core.services.collection import to_item
from kleio_desktop.core.store import Store, queries
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.migrate import head_revision
from shared.domain import analytics as rules
from shared.domain.search import COLLECTION_SEARCH_WEIGHTS, FuzzyIndex
from shared.domain.sorting import DEFAULT_SORT, primary_artist, sort_records
from shared.domain.status import record_status
from tests import demo

NOW = demo.NOW
SEED = 7
TZ = ZoneInfo("Europe/Paris")
KEYSTROKES = ("m", "mi", "mil", "mile", "miles", "miles ", "miles d", "miles da", "miles dav")
TARGETS = {"list": 100.0, "keystroke": 30.0, "detail": 20.0, "analytics": 100.0}


def _cache_dir(records_: int, plays: int) -> Path:
    schema = head_revision() or "none"
    source = Path(demo.__file__).read_bytes()
    digest = hashlib.sha256(source + schema.encode()).hexdigest()[:12]
    return (
        Path(tempfile.gettempdir()) / "kleio-bench" / f"desktop-{SEED}-{records_}-{plays}-{digest}"
    )


async def _built(records_: int, plays: int) -> tuple[Path, float | None]:
    """A store of the demo collection (built when not cached); seconds spent building."""
    home = _cache_dir(records_, plays)
    if (home / "complete").exists():
        return home, None
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    async with Desktop.open(home) as desktop:
        await demo.seed_demo(desktop, records_, plays=plays, seed=SEED)
    (home / "complete").touch()
    return home, time.perf_counter() - started


def _copy(home: Path, into: Path) -> Path:
    shutil.copytree(home, into, ignore=shutil.ignore_patterns("complete"))
    return into


async def _timed(fn: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, float]:
    """(median wall ms, median cpu ms) of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        await fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


# ---- the old query paths (before issue 10), the baselines ------------------------------


async def _old_releases(session: Any, ids: set[int]) -> dict[int, Any]:
    found = await queries.releases(session, ids)
    return {release_id: release_from_row(row) for release_id, row in found.items()}


async def _old_list(store: Store, query: str = "") -> list[Any]:
    async with store.read() as session:
        items = await queries.collection_items(session, archived=False)
        releases = await _old_releases(session, {item.release_id for item in items})
        play_times = await rows.play_times(session)
        cleaning_times = await rows.cleaning_times(session)
    listed = {}
    for row in items:
        release = releases.get(row.release_id)
        listed[row.instance_id] = collection.ListedRecord(
            item=to_item(row),
            release=release,
            artist=primary_artist(release.artists) if release else "",
            status=record_status(
                play_times.get(row.release_id, []), cleaning_times.get(row.release_id, []), NOW
            ),
        )
    found = list(listed.values())
    if query.strip():
        w = COLLECTION_SEARCH_WEIGHTS
        index = FuzzyIndex(
            found,
            {
                "title": (w["title"], lambda r: r.release.title if r.release else ""),
                "artist": (w["artist"], lambda r: r.artist),
                "genre": (w["genre"], lambda r: list(r.release.genres) if r.release else []),
                "label": (
                    w["label"],
                    lambda r: [label.name for label in r.release.labels] if r.release else [],
                ),
            },
        )
        return index.search(query)
    views = sort_records([collection.record_view(r) for r in found], DEFAULT_SORT, NOW)
    return [listed[view.instance_id] for view in views]


async def _old_year(store: Store) -> None:
    first, last = rules.resolve_period("1y", NOW, TZ, None, None, None)
    since, until = rules.day_window(first, last, TZ)
    async with store.read() as session:
        found = await rows.play_rows(session, since, until)
        found = [r for r in found if first <= rules.local_day(r.played_at, TZ) <= last]
        releases = await _old_releases(session, {r.release_id for r in found})
    plays = rules.listened_plays(found, releases, TZ, first, last, rules.Filters())
    rules.listening_series(plays, TZ, "day", first, last)
    rules.listening_distribution(plays, "genre", "plays", 10)


async def _trivial(store: Store) -> None:
    async with store.read() as session:
        await session.scalar(text("SELECT count(*) FROM collection_items"))


async def _year(store: Store) -> None:
    """The analytics page of a year: the daily series and the top genres."""
    window = analytics.Window(period="1y")
    await analytics.series(store, window, tz=TZ, now=NOW)
    await analytics.distribution(store, window, by="genre", tz=TZ, now=NOW)


def _row(
    view: str, case: str, figure: tuple[float, float], baselines: dict[str, float], target: str
) -> dict[str, Any]:
    wall, cpu = figure
    return {
        "view": view,
        "case": case,
        "median ms": round(wall, 1),
        "cpu ms": round(cpu, 1),
        "target": target,
        "vs old path": f"{baselines['old'] / wall:.0f}x faster" if baselines.get("old") else "",
        "vs trivial query": f"{wall / baselines['trivial']:.1f}x"
        if baselines.get("trivial")
        else "",
    }


_LOGGED = iter(range(10_000))


async def _after_writes(
    desktop: Desktop, fn: Callable[[], Awaitable[Any]], repeat: int, *, afresh: bool = False
) -> tuple[float, float]:
    """``_timed`` with a play logged before each call (not timed): the kept views are
    patched with that play (``afresh``: forgotten and read again, as before they were
    patched, the baseline)."""
    walls, cpus = [], []
    for _ in range(repeat):
        n = next(_LOGGED)
        await desktop.plays.log_play(100_000 + n % 50, at=NOW - dt.timedelta(hours=n + 1))
        if afresh:
            rows.forget(desktop.store)
        wall, cpu = time.perf_counter(), time.process_time()
        await fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


async def run() -> list[dict[str, Any]]:
    main_home, built = await _built(5000, 50_000)
    search_home, built_search = await _built(10_000, 20_000)
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        home = _copy(main_home, Path(scratch) / "main")
        async with Desktop.open(home) as desktop:
            store = desktop.store
            trivial = (await _timed(lambda: _trivial(store), 20))[0]
            base = {"trivial": trivial}
            old_list = (await _timed(lambda: _old_list(store), 3))[0]
            first = await _timed(lambda: collection.list_records(store, now=NOW), 1)
            out.append(
                _row(
                    "list (5,000 records)",
                    "first call of the process",
                    first,
                    {**base, "old": old_list},
                    "≤ 100 ms",
                )
            )
            warm = await _timed(lambda: collection.list_records(store, now=NOW), 10)
            out.append(
                _row(
                    "list (5,000 records)",
                    "again, nothing written since",
                    warm,
                    {**base, "old": old_list},
                    "≤ 100 ms",
                )
            )
            for afresh, case in (
                (True, "right after a play, all read afresh (baseline)"),
                (False, "right after a play (patched)"),
            ):
                written = await _after_writes(
                    desktop, lambda: collection.list_records(store, now=NOW), 5, afresh=afresh
                )
                out.append(
                    _row(
                        "list (5,000 records)", case, written, {**base, "old": old_list}, "≤ 100 ms"
                    )
                )
            await collection.list_records(store, query="mi", now=NOW)
            keyed = await _after_writes(
                desktop, lambda: collection.list_records(store, query="mil", now=NOW), 5
            )
            out.append(
                _row(
                    "list (5,000 records)", "a keystroke right after a play", keyed, base, "≤ 30 ms"
                )
            )
            for sort in ("needs_cleaning", "most_played", "album"):
                by = await _timed(lambda s=sort: collection.list_records(store, sort=s, now=NOW), 5)  # type: ignore[misc]
                out.append(
                    _row(
                        "list (5,000 records)",
                        f"sorted by {sort}",
                        by,
                        {**base, "old": old_list},
                        "≤ 100 ms",
                    )
                )

            typical, busiest = await _typical_and_busiest(store)
            for case, (instance, plays) in {
                "a typical record": typical,
                "the busiest record": busiest,
            }.items():
                detail = await _timed(_detail(store, instance), 20)
                out.append(
                    _row("record detail", f"{case} ({plays:,} plays)", detail, base, "≤ 20 ms")
                )

            old_year = (await _timed(lambda: _old_year(store), 3))[0]
            first_year = await _timed(lambda: _year(store), 1)
            out.append(
                _row(
                    "a year of analytics",
                    "series + top genres, first call",
                    first_year,
                    {**base, "old": old_year},
                    "≤ 100 ms",
                )
            )
            for afresh, case in (
                (True, "right after a play, all read afresh (baseline)"),
                (False, "right after a play (patched)"),
            ):
                year = await _after_writes(desktop, lambda: _year(store), 5, afresh=afresh)
                out.append(
                    _row("a year of analytics", case, year, {**base, "old": old_year}, "≤ 100 ms")
                )
            again = await _timed(lambda: _year(store), 5)
            out.append(
                _row(
                    "a year of analytics",
                    "again, nothing written since",
                    again,
                    {**base, "old": old_year},
                    "≤ 100 ms",
                )
            )

        home = _copy(search_home, Path(scratch) / "search")
        async with Desktop.open(home) as desktop:
            store = desktop.store
            trivial = (await _timed(lambda: _trivial(store), 20))[0]
            old = (await _timed(lambda: _old_list(store, "miles"), 2))[0]
            base = {"trivial": trivial, "old": old}
            await collection.list_records(store, now=NOW)  # the list is on screen before typing
            first = await _timed(lambda: collection.list_records(store, query="mi", now=NOW), 1)
            out.append(
                _row(
                    "search (10,000 records)",
                    "first keystroke (index built)",
                    first,
                    base,
                    "≤ 30 ms",
                )
            )
            walls, cpus = [], []
            for typed in KEYSTROKES:
                wall, cpu = await _timed(_searching(store, typed), 3)
                walls.append(wall)
                cpus.append(cpu)
            figure = (statistics.median(walls), statistics.median(cpus))
            out.append(
                _row(
                    "search (10,000 records)",
                    f"a keystroke, typing {KEYSTROKES[-1]!r}",
                    figure,
                    base,
                    "≤ 30 ms",
                )
            )
            worst = (max(walls), max(cpus))
            out.append(_row("search (10,000 records)", "slowest keystroke", worst, base, "≤ 30 ms"))
    if built is not None or built_search is not None:
        out.append(
            {
                "view": "store built (seed_demo)",
                "case": f"5,000/50,000: {built or 0:.0f} s; "
                f"10,000/20,000: {built_search or 0:.0f} s",
            }
        )
    return out


def _searching(store: Store, typed: str) -> Callable[[], Awaitable[Any]]:
    return lambda: collection.list_records(store, query=typed, now=NOW)


def _detail(store: Store, instance: int) -> Callable[[], Awaitable[Any]]:
    return lambda: records.record_detail(store, instance, now=NOW)


async def _typical_and_busiest(store: Store) -> tuple[tuple[int, int], tuple[int, int]]:
    """(instance id, plays) of the record with the median plays, and of the most played."""
    listed = await collection.list_records(store, sort="most_played", now=NOW)
    played = [r for r in listed if r.status.plays]
    typical, busiest = played[len(played) // 2], played[0]
    return (
        (typical.item.instance_id, typical.status.plays),
        (busiest.item.instance_id, busiest.status.plays),
    )


def main() -> None:
    from tests.benchmarks.table import print_table

    print_table(asyncio.run(run()), title="Kleio benchmarks: desktop_queries")


if __name__ == "__main__":
    main()
