"""Lists hold releases without their tracks (half a 10,000-record listing's memory): what a
play lasted, which needs them for the sides played, is counted with the tracks read back
from the store. Stylus wear and listening time equal a from-scratch count over the whole
stored releases, and nothing kept holds a tracklist."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest

from kleio_desktop.core.queries import analytics, rows, styluses
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from shared.domain import analytics as rules
from shared.domain.listening import play_minutes_of
from shared.domain.wear import stylus_wear
from shared.protocol.entities import PlayPatch, StylusIn, Track

from ..conftest import RecordMaker

NOW = dt.datetime(2026, 12, 6, 21, tzinfo=dt.UTC)
TZ = ZoneInfo("Europe/Berlin")


def tracks(*sides: tuple[str, int]) -> list[Track]:
    return [
        Track(position=f"{side}{n}", title=f"{side} {n}", duration_text="", seconds=seconds)
        for side, seconds in sides
        for n in (1, 2)
    ]


@pytest.fixture
async def played(store: Store, services: Services, add_record: RecordMaker) -> uuid.UUID:
    """Releases of differing sides and lengths (one without tracks), played by sides with
    a stylus over a year."""
    shapes = [
        tracks(("A", 300), ("B", 700)),
        tracks(("A", 1100), ("B", 200), ("C", 400), ("D", 950)),
        tracks(("A", 60)),
        [],
        tracks(("A", 1500), ("B", 1500)),
    ]
    for n, shape in enumerate(shapes):
        duration = sum(t.seconds or 0 for t in shape) or None
        await add_record(3001 + n, title=f"Album {n}", tracks=shape, duration_seconds=duration)
    stylus = uuid.uuid4()
    await services.styluses.add_stylus(
        StylusIn(id=stylus, name="2M Blue", lifespan_hours=10, primary=True)
    )
    for n in range(60):
        release_id = 3001 + n % len(shapes)
        named = sorted({t.position[0] for t in shapes[n % len(shapes)]})
        sides = [named[:1], named[-1:], named, None][n // len(shapes) % 4] if named else None
        at = NOW - dt.timedelta(days=n * 5, hours=n)
        await services.plays.log_play(release_id, at=at, sides=sides)
    return stylus


async def test_stylus_wear_counts_the_sides_with_the_stored_tracks(
    store: Store, played: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(styluses, "_TIMED_AT_ONCE", 2)  # the tracks read a few at a time
    [entry] = await styluses.styluses_with_wear(store)
    async with store.read() as session:
        plays = await rows.play_rows(session)
        whole = await rows.releases_with_tracks(session, {p.release_id for p in plays})
    minutes: dict[uuid.UUID | None, list[float]] = defaultdict(list)
    for play in plays:
        minutes[play.stylus_id].append(play_minutes_of(play.sides, whole.get(play.release_id)))
    assert any(play.sides for play in plays) and entry.plays == len(plays) == 60
    assert entry.wear == stylus_wear(10, minutes[played])
    assert entry.wear.hours_used == pytest.approx(sum(minutes[played]) / 60)


async def fresh(store: Store, period: rules.Period) -> list[object]:
    """The period's listening time and top albums by it, from scratch over whole releases."""
    first, last = rules.resolve_period(period, NOW, TZ, None, None, None)
    since, until = rules.day_window(first, last, TZ)
    async with store.read() as session:
        found = await rows.listens(session, since, until)
        whole = await rows.releases_with_tracks(session, {r.release_id for r in found})
    plays = rules.listened_plays(found, whole, TZ, first, last, rules.Filters())
    return [
        rules.listening_series(plays, TZ, "week", first, last),
        rules.listening_distribution(plays, "album", "seconds", 10),
    ]


async def kept(store: Store, period: rules.Period) -> list[object]:
    window = analytics.Window(period=period)
    series = await analytics.series(store, window, grouping="week", tz=TZ, now=NOW)
    top = await analytics.distribution(store, window, by="album", measure="seconds", tz=TZ, now=NOW)
    return [series.series, top]


async def test_listening_time_counts_the_sides_with_the_stored_tracks(
    store: Store, services: Services, played: uuid.UUID
) -> None:
    for period in ("90d", "1y"):
        assert await kept(store, period) == await fresh(store, period)
    # a play by side logged here patches the kept plays: the same seconds
    await services.plays.log_play(3002, at=NOW - dt.timedelta(days=3), sides=["C"])
    logged = await services.plays.log_play(3001, at=NOW - dt.timedelta(days=2), sides=["B"])
    before = rows.reads_afresh(store)
    for period in ("90d", "1y"):
        assert await kept(store, period) == await fresh(store, period)
    # by side no longer (the whole record now), then a play without sides
    (play_id,) = logged.plays
    await services.plays.edit_play(play_id, PlayPatch(sides=None))
    await services.plays.log_play(3001, at=NOW - dt.timedelta(days=1))
    for period in ("90d", "1y"):
        assert await kept(store, period) == await fresh(store, period)
    assert rows.reads_afresh(store) == before  # patched, not read again
    # the kept plays hold the listed releases: no tracklist kept
    first, last = rules.resolve_period("1y", NOW, TZ, None, None, None)
    plays = await analytics._plays(store, rules.Filters(), TZ, first, last)
    assert plays and all(p.release is not None and not p.release.tracks for p in plays)
    listed = await rows.cached_releases(store, {p.release_id for p in plays})
    assert all(p.release is listed[p.release_id] for p in plays)


async def test_a_listed_release_is_the_stored_one_less_its_tracks(
    store: Store, played: uuid.UUID
) -> None:
    ids = set(range(3001, 3006))
    async with store.read() as session:
        listed = await rows.releases(session, ids)
        whole = await rows.releases_with_tracks(session, ids)
        timed = await rows.with_tracks(session, listed, ids)
        found = await rows.listing_rows(session)
    assert listed.keys() == whole.keys() == timed.keys() == ids
    for release_id in ids:
        assert not listed[release_id].tracks
        assert listed[release_id] == whole[release_id].model_copy(update={"tracks": []})
        assert timed[release_id] == whole[release_id]
        assert timed[release_id] is not listed[release_id]
    # the listing decodes the same text: the very objects ``releases`` hands out
    for row in found:
        assert row.document is not None
        assert rows.decoded(row.document).release is listed[row.item.release_id]
