"""The server's applier and the desktop's store merge by the same rules
(``shared.domain.merge``): the same mutation sequences, fed to both, leave the same rows.

Each generated sequence holds creates, partial edits, deletes and restores of a few
styluses and plays, from two devices, with clocks out of arrival order (and ties broken
by node). The server applies each mutation through ``Applier.apply`` on SQLite; every one
it accepts reaches a fresh desktop store as the remote change carrying just that write:
the mutation's fields stamped with its clock (a delete or restore: the ``_deleted`` clock),
the row's other fields without a clock (they never win a field that has one). A create
carries the whole row as the create model reads it, as on the server. Both sides must
then hold the same values, tombstones and field clocks.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kleio_desktop.core.store import Store, migrate
from kleio_desktop.core.store.entities import SPECS as DESKTOP
from kleio_desktop.core.store.entities import to_wire
from kleio_desktop.core.store.paths import DATABASE_NAME
from kleio_server.deps import Kleio
from kleio_server.sync.applier import MutationRejected
from kleio_server.sync.entities import SPECS as SERVER
from shared.clock import HLC
from shared.domain.merge import DELETED
from shared.protocol.specs import SPECS
from shared.protocol.sync import Change, Entity, Mutation
from tests.server.conftest import ApiUser

BASE_MS = (int(time.time()) - 3600) * 1000  # an hour ago: no clock is capped
AT = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)

stylus_fields = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["DL-103", "VM540ML", "2M Blue"]),
        "manufacturer": st.sampled_from(["", "Denon", "Ortofon"]),
        "lifespan_hours": st.sampled_from([None, 500, 1000]),
        "active": st.booleans(),
        "primary": st.booleans(),
        "retired": st.booleans(),
    },
)
play_fields = st.fixed_dictionaries(
    {},
    optional={
        "release_id": st.integers(1, 3),
        "played_at": st.integers(0, 500).map(lambda m: (AT + dt.timedelta(minutes=m)).isoformat()),
        "notes": st.sampled_from(["", "warm", "crackle"]),
    },
)

# One backend: what is compared is the merge rules both sides run, which no dialect changes
# (the server's write path on PostgreSQL has suites of its own).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    entity: Entity = draw(st.sampled_from(["stylus", "play"]))
    key = draw(st.sampled_from(["0", "1"]))  # which of two rows; ids are made per example
    op = draw(st.sampled_from(["upsert", "upsert", "upsert", "delete", "restore"]))
    fields: dict[str, Any] = {}
    if op == "upsert":
        fields = draw(stylus_fields if entity == "stylus" else play_fields)
        if entity == "stylus" and draw(st.booleans()):  # primary claims, often
            fields["primary"] = True
        if draw(st.sampled_from([True, True, False])):  # a create's required fields
            required = {"name": "AT-VM95E"} if entity == "stylus" else {"release_id": 1}
            fields = {
                **required,
                **({"played_at": AT.isoformat()} if entity == "play" else {}),
                **fields,
            }
    tick = draw(st.integers(1, 40))
    node = draw(st.sampled_from(["dev-a", "dev-b"]))
    return Mutation(
        mutation_id=1,
        entity=entity,
        entity_id=key,
        op=op,
        fields=fields,
        hlc=HLC(BASE_MS + tick * 1000, 0, node).encode(),
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("merge-template") / DATABASE_NAME
    migrate.upgrade(database)
    return database


async def _user_id(user: ApiUser) -> uuid.UUID:
    response = await user.get("/api/v1/me")
    assert response.status_code == 200, response.text
    return uuid.UUID(response.json()["id"])


async def _apply_on_server(kleio: Kleio, user_id: uuid.UUID, mutation: Mutation) -> bool:
    try:
        async with kleio.sessions() as session, session.begin():
            await kleio.applier.apply(session, user_id, mutation)
    except MutationRejected:
        return False
    return True


async def _desktop_row(store: Store, entity: Entity, key: uuid.UUID) -> dict[str, Any] | None:
    async with store.read() as session:
        row = await session.get(DESKTOP[entity].row, key)
        if row is None:
            return None
        return to_wire(row).model_dump(mode="json", exclude={"id"})


async def _as_change(store: Store, seq: int, mutation: Mutation) -> Change:
    """The remote change that carries just ``mutation``'s write (see the module docstring)."""
    key = uuid.UUID(mutation.entity_id)
    current = await _desktop_row(store, mutation.entity, key)
    clocks: dict[str, str]
    if current is None:  # a create: every field, as the create model reads it
        spec = SPECS[mutation.entity]
        values = spec.create.model_validate({**mutation.fields, spec.key: key})
        data = values.model_dump(mode="json", exclude={spec.key})
        clocks = dict.fromkeys(data, mutation.hlc)
    else:
        data = {**current, **mutation.fields}
        clocks = dict.fromkeys(mutation.fields, mutation.hlc)
    if mutation.op != "upsert":
        clocks = {DELETED: mutation.hlc}
    return Change(
        seq=seq,
        entity=mutation.entity,
        entity_id=mutation.entity_id,
        deleted=mutation.op == "delete",
        data={**data, "field_clocks": clocks},
    )


async def _server_rows(kleio: Kleio, user_id: uuid.UUID) -> dict[tuple[str, str], Any]:
    rows: dict[tuple[str, str], Any] = {}
    async with kleio.sessions() as session:
        for entity in ("stylus", "play"):
            spec = SERVER[entity]  # type: ignore[index]
            model: Any = spec.model
            for row in await session.scalars(select(model).where(model.user_id == user_id)):
                wire = spec.to_wire(row)
                key = wire.pop("id")
                rows[(entity, key)] = (wire, row.deleted, row.field_clocks)
    return rows


async def _store_rows(store: Store) -> dict[tuple[str, str], Any]:
    rows: dict[tuple[str, str], Any] = {}
    async with store.read() as session:
        for entity in ("stylus", "play"):
            spec = DESKTOP[entity]  # type: ignore[index]
            for row in await session.scalars(select(spec.row)):
                wire = to_wire(row).model_dump(mode="json")
                key = wire.pop("id")
                rows[(entity, key)] = (wire, row.deleted, row.field_clocks)
    return rows


@pytest.fixture
def fresh_store(template: Path, tmp_path: Path) -> Any:
    count = 0

    async def _open() -> Store:
        nonlocal count
        count += 1
        home = tmp_path / f"home-{count}"
        home.mkdir()
        shutil.copyfile(template, home / DATABASE_NAME)
        return await Store.open(home)

    return _open


@pytest.mark.timeout(600)  # a shared machine may take minutes for all the examples
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(mutations(), min_size=1, max_size=14))
async def test_server_and_desktop_merge_to_the_same_rows(
    kleio: Kleio, make_user: Any, fresh_store: Any, sequence: list[Mutation]
) -> None:
    await _same_rows(kleio, make_user, fresh_store, sequence)


def _write(entity: Entity, key: str, tick: int, op: str = "upsert", **fields: Any) -> Mutation:
    clock = HLC(BASE_MS + tick * 1000, 0, "dev-a").encode()
    return Mutation(mutation_id=1, entity=entity, entity_id=key, op=op, fields=fields, hlc=clock)


@pytest.mark.parametrize(
    "sequence",
    [
        [  # a newer primary claim: the old primary steps down, stamped with the claim
            _write("stylus", "0", 1, name="A", primary=True),
            _write("stylus", "1", 2, name="B", primary=True),
        ],
        [  # an older claim arriving late yields, stamped with the winner's clock
            _write("stylus", "0", 5, name="A", primary=True),
            _write("stylus", "1", 2, name="B", primary=True),
        ],
        [  # a delete is a write: a later edit (older clock) does not revive the row
            _write("play", "0", 1, release_id=1, played_at=AT.isoformat()),
            _write("play", "0", 4, op="delete"),
            _write("play", "0", 3, notes="late"),
        ],
        [  # a deleted stylus's primary claim takes nothing from the live primary
            _write("stylus", "0", 1, name="A", primary=True),
            _write("stylus", "1", 2, name="B"),
            _write("stylus", "1", 9, op="delete"),
            _write("stylus", "1", 5, primary=True),
        ],
    ],
    ids=["newer-claim", "late-older-claim", "delete-then-late-edit", "deleted-claim"],
)
async def test_known_cases(
    kleio: Kleio, make_user: Any, fresh_store: Any, sequence: list[Mutation]
) -> None:
    await _same_rows(kleio, make_user, fresh_store, sequence)


async def _same_rows(
    kleio: Kleio, make_user: Any, fresh_store: Any, sequence: list[Mutation]
) -> None:
    assert kleio.engine.dialect.name == "sqlite"  # pytestmark: the rules, not the SQL dialect
    user_id = await _user_id(make_user("merge"))
    ids = {(e, k): str(uuid.uuid4()) for e in ("stylus", "play") for k in ("0", "1")}
    sequence = [m.model_copy(update={"entity_id": ids[(m.entity, m.entity_id)]}) for m in sequence]
    store: Store = await fresh_store()
    try:
        for seq, mutation in enumerate(sequence, start=1):
            if await _apply_on_server(kleio, user_id, mutation):
                await store.apply_remote_change(await _as_change(store, seq, mutation))
        desktop, server = await _store_rows(store), await _server_rows(kleio, user_id)
        assert desktop == server, "\n".join(
            [f"{m.entity} {m.entity_id[:4]} {m.op} {m.fields} {m.hlc}" for m in sequence]
        )
    finally:
        await store.close()
