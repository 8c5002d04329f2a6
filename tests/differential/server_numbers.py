"""What the server serves, read after a step, against the model's numbers: the collection
(active and archived lists, their totals, each record's detail: status and duration), stylus
wear, and analytics (all-time totals, weekly buckets in a zone west of UTC, per-album shares).

Reads happen between ``before`` and ``after``; a clock-dependent number (recency, the last
analytics bucket) may match either instant, since a day may end while the requests run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tests.differential import model as m
from tests.differential.compare import SECONDS_TOLERANCE, Differences
from tests.differential.server_paths import ServerTarget

ZONE = "America/Los_Angeles"
TZ = ZoneInfo(ZONE)


@dataclass
class Served:
    before: dt.datetime
    after: dt.datetime
    active: dict[int, Any]
    archived: dict[int, Any]
    totals: dict[bool, int]
    details: dict[int, Any]
    styluses: dict[str, Any]
    months: dict[str, Any]
    weeks: list[dict[str, Any]]
    albums: list[dict[str, Any]]


async def _items(target: ServerTarget, *, archived: bool) -> tuple[dict[int, Any], int]:
    page = await target.get(f"/collection?archived={str(archived).lower()}&limit=500")
    return {item["instance_id"]: item for item in page["items"]}, page["total"]


async def read(target: ServerTarget) -> Served:
    before = dt.datetime.now(dt.UTC)
    active, active_total = await _items(target, archived=False)
    archived, archived_total = await _items(target, archived=True)
    details = {i: await target.get(f"/collection/{i}") for i in {**active, **archived}}
    styluses = {s["id"]: s for s in await target.get("/styluses")}
    months = await target.get("/analytics/series?period=all&group=month&tz=UTC")
    weeks = await target.get(f"/analytics/series?period=all&group=week&tz={ZONE}")
    albums = await target.get("/analytics/distribution?period=all&by=album&measure=seconds&top=50")
    return Served(
        before=before,
        after=dt.datetime.now(dt.UTC),
        active=active,
        archived=archived,
        totals={False: active_total, True: archived_total},
        details=details,
        styluses=styluses,
        months=months,
        weeks=weeks["buckets"],
        albums=albums,
    )


async def differences(target: ServerTarget, model: m.Model) -> Differences:
    served = await read(target)
    diff = Differences()
    for index in range(len(model.releases)):
        _record(diff, served, model, index, target.instance_id(index))
    in_collection = sum(1 for item in model.items.values() if item.archived_at is None)
    diff.check("collection total", served.totals[False], in_collection)
    diff.check("archived total", served.totals[True], len(model.items) - in_collection)
    _wear(diff, served, model)
    plays, seconds = model.totals()
    diff.check("analytics total_plays", served.months["total_plays"], plays)
    total = served.months["total_seconds"]
    diff.close("analytics total_seconds", total, seconds, SECONDS_TOLERANCE)
    _weeks(diff, served, model)
    _albums(diff, served, model, target)
    return diff


def _record(diff: Differences, served: Served, model: m.Model, index: int, instance: int) -> None:
    where = f"record {index}"
    is_archived = model.items[index].archived_at is not None
    diff.check(f"{where} archived", instance in served.archived, is_archived)
    diff.check(f"{where} listed", instance in served.active, not is_archived)
    listed = (served.archived if is_archived else served.active).get(instance)
    status = model.status(index, served.before)
    seconds, estimated = model.duration(index)
    for name, shown in (("list", listed), ("detail", served.details.get(instance))):
        if shown is None:
            continue
        diff.status(f"{where} {name}", shown["status"], status, later=served.after)
        release = shown["release"]
        diff.check(f"{where} {name} duration_seconds", release["duration_seconds"], seconds)
        diff.check(f"{where} {name} duration_estimated", release["duration_estimated"], estimated)


def _wear(diff: Differences, served: Served, model: m.Model) -> None:
    live = model.live_styluses()
    diff.check("styluses", sorted(served.styluses), sorted(map(str, live)))
    for stylus_id in live:
        shown = served.styluses.get(str(stylus_id))
        if shown is not None:
            plays, wear = model.wear(stylus_id)
            diff.wear(f"stylus {stylus_id} wear", shown["wear"], plays, wear)


def _weeks(diff: Differences, served: Served, model: m.Model) -> None:
    got = [(b["start"], b["plays"], b["seconds"]) for b in served.weeks]
    for now in (served.before, served.after):
        wanted = [(b.start.isoformat(), b.plays, b.seconds) for b in model.weeks(now, TZ)]
        if len(got) == len(wanted) and all(
            g[:2] == w[:2] and abs(g[2] - w[2]) <= SECONDS_TOLERANCE
            for g, w in zip(got, wanted, strict=True)
        ):
            return
    diff.found.append(f"weekly series in {ZONE}: served {got}, expected {wanted}")


def _albums(diff: Differences, served: Served, model: m.Model, target: ServerTarget) -> None:
    by_release = model.by_release()
    shares = {int(share["key"]): share for share in served.albums}
    diff.check("albums", sorted(shares), sorted(target.release_id(r) for r in by_release))
    for release, (count, seconds) in by_release.items():
        share = shares.get(target.release_id(release))
        if share is not None:
            diff.check(f"record {release} album plays", share["plays"], count)
            where = f"record {release} album seconds"
            diff.close(where, share["seconds"], seconds, SECONDS_TOLERANCE)
