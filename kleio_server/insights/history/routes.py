from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.insights.history import service
from kleio_server.insights.history.schemas import History, HistoryGrouping, HistoryPeriod
from kleio_server.insights.zones import MAX_ZONE_NAME

router = APIRouter(tags=["history"])


@router.get("/history", response_model=History)
async def get_history(
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
    period: HistoryPeriod = "month",
    group: HistoryGrouping = "date",
    q: Annotated[str, Query(max_length=200)] = "",
    tz: Annotated[str | None, Query(min_length=1, max_length=MAX_ZONE_NAME)] = None,
) -> Response:
    """Plays and cleanings merged, newest first, grouped by the user's local day (or by
    artist / album), optionally fuzzy-searched over title, artist, stylus and notes."""
    body = await service.history(
        session, user.id, period=period, group=group, query=q, tz_name=tz, now=kleio.now()
    )
    return Response(service.body_json(body), media_type="application/json")
