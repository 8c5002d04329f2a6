"""/stylus-catalogue serves the shared list, and the table migration 0002 seeded holds the
same templates (the table stays for existing databases; nothing reads it now)."""

from __future__ import annotations

from sqlalchemy import select

from kleio_server.deps import Kleio
from kleio_server.models import StylusTemplate
from shared.domain.stylus_catalogue import STYLUS_CATALOGUE
from tests.server.conftest import ApiUser


async def test_route_serves_the_shared_list_in_order(alice: ApiUser) -> None:
    response = await alice.get("/api/v1/stylus-catalogue")
    assert response.status_code == 200
    assert response.json() == [t.model_dump() for t in STYLUS_CATALOGUE]


async def test_seeded_table_matches_the_shared_list(kleio: Kleio) -> None:
    async with kleio.sessions() as session:
        rows = (await session.scalars(select(StylusTemplate))).all()
    assert sorted((r.manufacturer, r.model, r.lifespan_hours) for r in rows) == sorted(
        (t.manufacturer, t.model, t.lifespan_hours) for t in STYLUS_CATALOGUE
    )
