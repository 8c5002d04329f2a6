"""The merged history of plays and cleanings (PRODUCT §4.7): the rows come from the
database, every rule (periods, "cleaned the same day", order, search, groups) from
``shared.domain.history``. A period is fetched as a UTC window with a day of slack on
each side, so a play's same-day cleaning is always among the rows.

The body is serialised straight from the shared dataclasses (``body_json``): building a
pydantic model of 50,000 entries first costs more than all the rules together.
``schemas.History`` describes the same JSON for the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.insights import repository
from kleio_server.insights.history.schemas import HistoryGrouping, HistoryPeriod
from kleio_server.insights.zones import day_window, parse_zone
from shared.domain import history as rules


@dataclass(frozen=True)
class HistoryBody:
    period: HistoryPeriod
    group: HistoryGrouping
    time_zone: str
    groups: list[rules.HistoryGroup]


_BODY = TypeAdapter(HistoryBody)


def body_json(body: HistoryBody) -> bytes:
    return _BODY.dump_json(body)


async def history(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    period: HistoryPeriod,
    group: HistoryGrouping,
    query: str,
    tz_name: str | None,
    now: dt.datetime,
) -> HistoryBody:
    zone_name = tz_name or await repository.time_zone_of(session, user_id)
    tz = parse_zone(zone_name)
    since, until = None, None
    days = rules.history_days(period, now, tz)
    if days is not None:
        since, until = day_window(*days, tz)
    plays = await repository.play_rows(session, user_id, since, until)
    cleanings = await repository.cleaning_rows(session, user_id, since, until)
    releases = await repository.releases(
        session, user_id, {p.release_id for p in plays} | {c.release_id for c in cleanings}
    )
    styluses = await repository.stylus_names(session, user_id) if plays else {}
    groups = rules.history(
        plays,
        cleanings,
        releases,
        styluses,
        period=period,
        grouping=group,
        query=query,
        tz=tz,
        now=now,
    )
    return HistoryBody(period=period, group=group, time_zone=zone_name, groups=groups)
