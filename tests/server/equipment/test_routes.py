from __future__ import annotations

from collections.abc import Iterator

from kleio_server.deps import Kleio
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release


async def test_one_primary_rule(alice: ApiUser) -> None:
    a = (await alice.post("/api/v1/styluses", json={"name": "A", "primary": True})).json()
    b = (await alice.post("/api/v1/styluses", json={"name": "B", "primary": True})).json()
    listed = {s["name"]: s["primary"] for s in (await alice.get("/api/v1/styluses")).json()}
    assert listed == {"A": False, "B": True}
    assert (await alice.post(f"/api/v1/styluses/{a['id']}/primary")).json()["primary"] is True
    assert (await alice.get(f"/api/v1/styluses/{b['id']}")).json()["primary"] is False
    await alice.patch(f"/api/v1/styluses/{b['id']}", json={"primary": True})
    listed = [s for s in (await alice.get("/api/v1/styluses")).json() if s["primary"]]
    assert [s["name"] for s in listed] == ["B"]


async def test_database_enforces_one_primary(kleio: Kleio, alice: ApiUser) -> None:
    import sqlalchemy.exc
    from sqlalchemy import update

    from kleio_server.models import Stylus

    await alice.post("/api/v1/styluses", json={"name": "A", "primary": True})
    b = (await alice.post("/api/v1/styluses", json={"name": "B"})).json()
    async with kleio.sessions() as session:
        try:
            await session.execute(
                update(Stylus)
                .where(Stylus.id == __import__("uuid").UUID(b["id"]))
                .values(is_primary=True)
            )
            await session.commit()
        except sqlalchemy.exc.IntegrityError:
            await session.rollback()
        else:
            raise AssertionError("a second primary was accepted by the database")


async def test_wear_and_delete_keeps_plays(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(
        kleio, alice, [release(rid, tracks=[("A1", 900), ("B1", 1500)])]
    )  # 40 minutes
    stylus = (
        await alice.post(
            "/api/v1/styluses", json={"name": "2M Red", "lifespan_hours": 1, "primary": True}
        )
    ).json()
    await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": "2026-01-01T00:00:00Z"})
    await alice.post(
        "/api/v1/plays",
        json={"release_id": rid, "played_at": "2026-01-02T00:00:00Z", "sides": ["A"]},
    )
    wear = (await alice.get(f"/api/v1/styluses/{stylus['id']}")).json()["wear"]
    assert wear["plays"] == 2
    assert wear["hours_used"] == round((40 + 15) / 60, 3)
    assert wear["percent"] == 8.33 and wear["colour"] == "red"
    assert (await alice.delete(f"/api/v1/styluses/{stylus['id']}")).status_code == 204
    plays = (await alice.get(f"/api/v1/plays?release_id={rid}")).json()["items"]
    assert len(plays) == 2 and all(p["stylus_id"] is None for p in plays)


async def test_catalogue_and_validation(alice: ApiUser) -> None:
    catalogue = (await alice.get("/api/v1/stylus-catalogue")).json()
    assert {"manufacturer": "Ortofon", "model": "2M Red", "lifespan_hours": 1000} in catalogue
    assert len(catalogue) == 19
    for body in (
        {"name": ""},
        {"name": "x", "lifespan_hours": 0},
        {"name": "x", "purchased_on": "soon"},
        {},
    ):
        response = await alice.post("/api/v1/styluses", json=body)
        assert response.status_code == 422, body
