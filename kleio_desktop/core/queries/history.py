"""The history view offline (PRODUCT §4.7): every rule is ``shared.domain.history``'s,
as on the server's ``GET /history``; the rows come from the local store."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kleio_desktop.core.queries import rows
from kleio_desktop.core.store import Store
from shared.domain import history as rules
from shared.domain.analytics import day_window
from shared.domain.history import HistoryGroup, HistoryGrouping, HistoryPeriod


async def history(
    store: Store,
    *,
    period: HistoryPeriod = "month",
    grouping: HistoryGrouping = "date",
    query: str = "",
    tz: ZoneInfo,
    now: dt.datetime | None = None,
) -> list[HistoryGroup]:
    """Plays and cleanings merged, newest first, grouped by local day in ``tz`` (or by
    artist / album), fuzzy-searched when ``query`` is not blank."""
    now = now or dt.datetime.now(dt.UTC)
    days = rules.history_days(period, now, tz)
    since, until = day_window(*days, tz) if days is not None else (None, None)
    async with store.read() as session:
        plays = await rows.play_rows(session, since, until)
        cleanings = await rows.cleaning_rows(session, since, until)
        releases = await rows.releases(
            session, {p.release_id for p in plays} | {c.release_id for c in cleanings}
        )
        styluses = await rows.stylus_names(session) if plays else {}
    return rules.history(
        plays,
        cleanings,
        releases,
        styluses,
        period=period,
        grouping=grouping,
        query=query,
        tz=tz,
        now=now,
    )
