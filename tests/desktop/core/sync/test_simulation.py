"""A Hypothesis stateful simulation of sync (ARCHITECTURE §8): three desktops editing every
kind of synced row offline, a network that drops, duplicates, holds back and replays stale
answers and loses answers after the server committed, desktops and the server restarting,
and clocks that disagree: one desktop runs five minutes fast (past the server's 60 s cap on
clocks), one three minutes slow, and time passes between rounds.

After quiescence (every device syncs without faults until nothing moves) every store shows
exactly the server's rows, every mutation a device issued was applied exactly once (none
rejected, none lost, none twice), and no device's cursor ever went back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import random
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.entities import SPECS, to_wire
from kleio_desktop.core.store.paths import DATABASE_NAME
from kleio_desktop.core.sync import HttpSyncTransport, SyncEngine, SyncError
from kleio_server.accounts.service import ensure_user
from kleio_server.app import create_app
from kleio_server.auth.local import LOCAL_ISSUER, LOCAL_SUBJECT
from kleio_server.auth.principal import Principal
from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.models import ClientState, RejectedMutation
from kleio_server.sync.writes import write
from shared.clock import wall_ms
from shared.protocol.entities import CleaningPatch, PlayPatch, StylusIn, StylusPatch
from shared.protocol.sync import ENTITIES, MAX_PULL_LIMIT, Entity

from ..conftest import make_release
from .conftest import SERVER_DB, asgi_client, copy_into, local_key, server_settings
from .faulty import FAULTS, Fault, FaultyTransport, Network

T = TypeVar("T")
CLIENTS = 3
AT = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)
RELEASES = (3001, 3002)
ITEMS = (30010, 30020)  # one collection item of each release
TEXT = st.sampled_from(["", "a", "b", "warm", "crackle"])
PICK = st.integers(0, 7)
WHO = st.integers(0, CLIENTS - 1)
PLAN = st.lists(st.sampled_from(FAULTS), max_size=5)
SKEW_MS = (0, 5 * 60_000, -3 * 60_000)  # each device's clock against the server's
# not part of what a row *is*: clocks, and the catalogue entry riding on a collection item
BOOKKEEPING = frozenset({"field_clocks", "release"})


@dataclass
class Device:
    home: Path
    transport: FaultyTransport
    store: Store
    services: Services
    engine: SyncEngine
    cursor: int = 0
    epoch: str | None = None


@dataclass
class Server:
    app: FastAPI
    lifespan: contextlib.AbstractAsyncContextManager[None]
    http: httpx.AsyncClient

    @property
    def kleio(self) -> Kleio:
        kleio: Kleio = self.app.state.kleio
        return kleio


Applied = Counter[tuple[uuid.UUID, int]]


@dataclass
class SimulatedTime:
    """Time that the simulation moves on (wall time plus what has "passed")."""

    passed_ms: int = 0

    def server_now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp((wall_ms() + self.passed_ms) / 1000, dt.UTC)

    def device_ms(self, number: int) -> Callable[[], int]:
        return lambda: wall_ms() + self.passed_ms + SKEW_MS[number]


async def start_server(
    data_dir: Path, applied: Applied, time: SimulatedTime | None = None
) -> Server:
    """The server on ``data_dir``, counting in ``applied`` each (device, mutation id) applied."""
    app = create_app(server_settings(data_dir), migrate_on_start=False)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    server = Server(app, lifespan, asgi_client(app, local_key(app)))
    if time is not None:
        server.kleio.now = time.server_now  # type: ignore[method-assign]
    applier = server.kleio.applier
    apply = applier.apply

    async def counting(*args: Any, **kwargs: Any) -> Any:
        result = await apply(*args, **kwargs)
        mutation, client_id = args[2], args[3] if len(args) > 3 else None
        if client_id is not None:  # a device's mutation, not a server-side write
            applied[(client_id, mutation.mutation_id)] += 1
        return result

    applier.apply = counting  # type: ignore[method-assign]
    return server


async def stop_server(server: Server) -> None:
    await server.http.aclose()
    await server.lifespan.__aexit__(None, None, None)


async def open_device(
    home: Path, transport: FaultyTransport, now_ms: Callable[[], int] = wall_ms
) -> Device:
    store = await Store.open(home, now_ms=now_ms)
    engine = SyncEngine(store, transport, rng=random.Random(0))
    state = await store.sync_state()
    return Device(home, transport, store, Services.on(store), engine, state.cursor, state.epoch)


async def seed_server(server: Server) -> None:
    """The user's two records, as a Discogs import would have left them on the server."""
    kleio = server.kleio
    principal = Principal(LOCAL_ISSUER, LOCAL_SUBJECT, roles=frozenset(), expires_at=None)
    user = await ensure_user(kleio.sessions, principal)
    async with kleio.sessions() as session:
        await catalogue.save_many(session, [make_release(r) for r in RELEASES])
        for release_id, instance_id in zip(RELEASES, ITEMS, strict=True):
            fields = {"release_id": release_id, "folder_id": 1, "added_at": AT.isoformat()}
            await write(kleio.applier, session, user.id, "collection_item", instance_id, fields)
        await session.commit()


async def build_world(directory: Path, server_template: Path, store_template: Path) -> None:
    """A seeded server and three devices that pulled it once: what every example starts from
    (copied, which is much faster than building it again)."""
    await asyncio.to_thread(copy_into, directory / "server", server_template, SERVER_DB)
    server = await start_server(directory / "server", Counter())
    try:
        await seed_server(server)
        network = Network(HttpSyncTransport(server.http), random.Random(0))
        for number in range(CLIENTS):
            home = directory / f"home-{number}"
            await asyncio.to_thread(copy_into, home, store_template, DATABASE_NAME)
            device = await open_device(home, FaultyTransport(network))
            await device.engine.sync_once()
            await device.store.close()
    finally:
        await stop_server(server)


class Simulation(RuleBasedStateMachine):
    loop: ClassVar[asyncio.AbstractEventLoop]
    world: ClassVar[Path]
    workdir: ClassVar[Path]

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(dir=self.workdir))
        self.applied: Applied = Counter()
        self.devices: list[Device] = []
        self.server: Server | None = None
        self.network: Network | None = None
        self.synced_since_restart = False
        self.time = SimulatedTime()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    # ---- the world ---------------------------------------------------------------------

    async def _setup(self) -> None:
        await asyncio.to_thread(shutil.copytree, self.world, self.dir, dirs_exist_ok=True)
        self.server = await start_server(self.dir / "server", self.applied, self.time)
        self.network = Network(HttpSyncTransport(self.server.http), random.Random(0))
        for number in range(CLIENTS):
            transport = FaultyTransport(self.network)
            home = self.dir / f"home-{number}"
            self.devices.append(await open_device(home, transport, self.time.device_ms(number)))

    async def _close(self) -> None:
        for device in self.devices:
            await device.store.close()
        if self.server is not None:
            await stop_server(self.server)
            self.server = None

    @initialize()
    def start(self) -> None:
        self.run(self._setup())

    def teardown(self) -> None:
        try:
            if self.network is not None:
                self.run(self._quiesce_and_check())
        finally:
            self.run(self._close())
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---- offline edits ---------------------------------------------------------------

    def edit(self, coroutine: Coroutine[Any, Any, object]) -> None:
        """A user action; refusals (a conflict, a row deleted meanwhile) are part of life."""
        with contextlib.suppress(KleioError):
            self.run(coroutine)

    @rule(
        who=WHO,
        action=st.sampled_from(["log", "edit", "delete"]),
        pick=PICK,
        release=st.sampled_from(RELEASES),
        minute=st.none() | st.integers(0, 50),
        notes=TEXT,
    )
    def play(
        self, who: int, action: str, pick: int, release: int, minute: int | None, notes: str
    ) -> None:
        plays = self.devices[who].services.plays
        at = None if minute is None else AT + dt.timedelta(minutes=minute)

        async def go() -> None:
            live = await plays.list_plays()
            if action == "log" or not live:
                await plays.log_play(release, at=at or AT, notes=notes, stylus_id=None)
            elif action == "edit":
                patch = PlayPatch(notes=notes, played_at=at) if at else PlayPatch(notes=notes)
                await plays.edit_play(live[pick % len(live)].id, patch)
            else:
                await plays.delete_play(live[pick % len(live)].id)

        self.edit(go())

    @rule(
        who=WHO,
        action=st.sampled_from(["log", "edit", "delete"]),
        pick=PICK,
        release=st.sampled_from(RELEASES),
        deep=st.none() | st.booleans(),
        notes=TEXT,
    )
    def cleaning(
        self, who: int, action: str, pick: int, release: int, deep: bool | None, notes: str
    ) -> None:
        cleanings = self.devices[who].services.cleanings

        async def go() -> None:
            live = await cleanings.list_cleanings()
            if action == "log" or not live:
                await cleanings.log_cleaning(release, at=AT, notes=notes, deep=bool(deep))
            elif action == "edit":
                patch = CleaningPatch(notes=notes) if deep is None else CleaningPatch(deep=deep)
                await cleanings.edit_cleaning(live[pick % len(live)].id, patch)
            else:
                await cleanings.delete_cleaning(live[pick % len(live)].id)

        self.edit(go())

    @rule(
        who=WHO,
        action=st.sampled_from(["add", "edit", "primary", "delete"]),
        pick=PICK,
        name=st.sampled_from(["AT-VM95E", "Ortofon 2M", "DL-103"]),
        flag=st.booleans(),
    )
    def stylus(self, who: int, action: str, pick: int, name: str, flag: bool) -> None:
        styluses = self.devices[who].services.styluses

        async def go() -> None:
            live = await styluses.list_styluses()
            if action == "add" or not live:
                await styluses.add_stylus(StylusIn(name=name, primary=flag))
                return
            stylus = live[pick % len(live)].id
            if action == "edit":
                await styluses.edit_stylus(stylus, StylusPatch(name=name, active=flag))
            elif action == "primary":
                await styluses.set_primary(stylus)
            else:
                await styluses.delete_stylus(stylus)

        self.edit(go())

    @rule(who=WHO, archive=st.booleans(), item=st.sampled_from(ITEMS), minute=st.integers(0, 50))
    def collection_item(self, who: int, archive: bool, item: int, minute: int) -> None:
        collection = self.devices[who].services.collection
        if archive:
            self.edit(collection.archive(item, "sold", at=AT + dt.timedelta(minutes=minute)))
        else:
            self.edit(collection.restore(item))

    # ---- network, restarts -------------------------------------------------------------

    @rule(who=WHO, plan=PLAN)
    def sync(self, who: int, plan: list[Fault]) -> None:
        device = self.devices[who]
        device.transport.plan = list(plan)
        with contextlib.suppress(SyncError):
            self.run(device.engine.sync_once())
        device.transport.plan = []
        self.synced_since_restart = True
        self.run(self._check_cursors())

    @rule(plan=PLAN)
    def sync_everyone(self, plan: list[Fault]) -> None:
        """Every device a round, each with the same faults: rounds as frequent as edits."""
        for who in range(CLIENTS):
            self.sync(who, plan)

    @rule(minutes=st.sampled_from([1, 2, 10]))
    def time_passes(self, minutes: int) -> None:
        self.time.passed_ms += minutes * 60_000

    @precondition(lambda self: self.network is not None and bool(self.network.held))
    @rule()
    def deliver_held(self) -> None:
        assert self.network is not None
        self.run(self.network.deliver_held())

    @rule(who=WHO)
    def restart_device(self, who: int) -> None:
        old = self.devices[who]

        async def go() -> Device:
            await old.store.close()
            device = await open_device(old.home, old.transport, self.time.device_ms(who))
            device.cursor, device.epoch = old.cursor, old.epoch
            return device

        self.devices[who] = self.run(go())
        self.run(self._check_cursors())

    @precondition(lambda self: self.synced_since_restart)  # else Hypothesis loves restarts
    @rule()
    def restart_server(self) -> None:
        self.synced_since_restart = False

        async def go() -> None:
            assert self.server is not None and self.network is not None
            await stop_server(self.server)
            self.server = await start_server(self.dir / "server", self.applied, self.time)
            self.network.server = HttpSyncTransport(self.server.http)

        self.run(go())

    # ---- what must always hold -------------------------------------------------------

    async def _check_cursors(self) -> None:
        """A cursor never goes back (checked after every round and at the end), unless the
        server's epoch changed."""
        for number, device in enumerate(self.devices):
            state = await device.store.sync_state()
            if state.epoch == device.epoch:
                assert state.cursor >= device.cursor, f"device {number}'s cursor went back"
            device.cursor, device.epoch = state.cursor, state.epoch

    async def _quiesce_and_check(self) -> None:
        assert self.network is not None
        await self.network.deliver_held()
        for _ in range(5):  # until a pass pushes nothing: then every device pulled it all
            pushed = 0
            for device in self.devices:
                device.transport.plan = []
                report = await device.engine.sync_once()
                pushed += report.pushed + report.pending
            if not pushed:
                break
        else:
            raise AssertionError("the devices never settled")
        await self._check_cursors()
        server_rows = await self._server_rows()
        for number, device in enumerate(self.devices):
            assert await _visible_rows(device.store) == server_rows, f"device {number} differs"
        await self._check_exactly_once()

    async def _server_rows(self) -> dict[Entity, dict[str, dict[str, Any]]]:
        assert self.network is not None
        rows: dict[Entity, dict[str, dict[str, Any]]] = {entity: {} for entity in ENTITIES}
        everything = await self.network.server.pull(0, None, MAX_PULL_LIMIT)
        assert not everything.has_more
        for change in everything.changes:
            if not change.deleted and change.data is not None:
                rows[change.entity][change.entity_id] = _wire(change.data)
        return rows

    async def _check_exactly_once(self) -> None:
        assert self.server is not None
        async with self.server.kleio.sessions() as session:
            rejected = list(await session.scalars(select(RejectedMutation)))
            states = {s.client_id: s for s in await session.scalars(select(ClientState))}
        assert [(r.entity, r.reason) for r in rejected] == []
        for number, device in enumerate(self.devices):
            issued = await device.store.highest_mutation_id()
            state = states.get(device.store.client_id)
            assert (state.last_mutation_id if state else 0) == issued, f"device {number} lost work"
            applied = {m: n for (c, m), n in self.applied.items() if c == device.store.client_id}
            assert applied == dict.fromkeys(range(1, issued + 1), 1), f"device {number}: {applied}"


def _wire(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name not in BOOKKEEPING}


async def _visible_rows(store: Store) -> dict[Entity, dict[str, dict[str, Any]]]:
    rows: dict[Entity, dict[str, dict[str, Any]]] = {}
    async with store.read() as session:
        for entity in ENTITIES:
            spec = SPECS[entity]
            found = await session.scalars(select(spec.row).where(spec.row.deleted.is_(False)))
            rows[entity] = {
                str(getattr(row, spec.key)): to_wire(row).model_dump(mode="json") for row in found
            }
    return rows


# deterministic in CI; KLEIO_SIM_EXAMPLES=500 for a longer local soak
SETTINGS = settings(
    max_examples=int(os.environ.get("KLEIO_SIM_EXAMPLES", "20")),
    stateful_step_count=25,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def machine(
    server_template: Path, migrated_database: Path, tmp_path: Path
) -> Iterator[type[Simulation]]:
    """The simulation's class, bound to its own event loop and a world built once."""
    loop = asyncio.new_event_loop()
    world = tmp_path / "world"
    attributes = {"loop": loop, "world": world, "workdir": tmp_path}
    try:
        loop.run_until_complete(build_world(world, server_template, migrated_database))
        yield type("SyncSimulation", (Simulation,), attributes)
    finally:
        loop.close()


@contextlib.contextmanager
def started(machine: type[Simulation]) -> Iterator[Simulation]:
    """A world set up as a Hypothesis run starts one, and torn down (its end-state checks
    run) after the block."""
    world = machine()
    try:
        world.start()
        yield world
    finally:
        world.teardown()


def test_sync_converges_exactly_once_on_a_faulty_network(machine: type[Simulation]) -> None:
    run_state_machine_as_test(machine, settings=SETTINGS)


def test_a_late_answer_does_not_revive_a_row_deleted_since(machine: type[Simulation]) -> None:
    """A path random runs rarely take: a play deleted and synced everywhere, then an old pull
    answer (the play still alive) arrives late at every device."""
    with started(machine) as world:
        world.play(who=0, action="log", pick=0, release=RELEASES[0], minute=None, notes="")
        world.sync_everyone([])
        world.play(who=0, action="delete", pick=0, release=RELEASES[0], minute=None, notes="")
        world.sync_everyone([])
        world.sync_everyone(["stale"])
        assert world.network is not None and world.network.faults_injected == {"stale": CLIENTS}


def test_a_fast_device_clock_capped_by_the_server_does_not_hold_on_to_its_edit(
    machine: type[Simulation],
) -> None:
    """Device 1 runs five minutes fast: the server caps its edit's clock at server time
    + 60 s. Two minutes on, device 0 edits the same field — newer than the capped clock, so
    the server takes it — and device 1 must take it too, although its own clock for that
    field is still three minutes ahead."""
    with started(machine) as world:
        world.play(who=1, action="log", pick=0, release=RELEASES[0], minute=None, notes="fast")
        world.sync_everyone([])
        world.sync_everyone([])  # device 0 synced before device 1 pushed: once more
        world.time_passes(minutes=2)
        world.play(who=0, action="edit", pick=0, release=RELEASES[0], minute=None, notes="later")
        world.sync_everyone([])
        world.sync_everyone([])


def test_a_slow_device_edit_after_a_pull_wins(machine: type[Simulation]) -> None:
    """Device 2 runs three minutes slow. Once it has pulled device 0's play, its own later
    edit must carry a newer clock than what it saw, and win everywhere."""
    with started(machine) as world:
        world.play(who=0, action="log", pick=0, release=RELEASES[0], minute=None, notes="first")
        world.sync_everyone([])
        world.play(who=2, action="edit", pick=0, release=RELEASES[0], minute=None, notes="slow")
        world.sync_everyone([])
        world.sync_everyone([])
        plays = world.run(world._server_rows())["play"]
        assert [p["notes"] for p in plays.values()] == ["slow"]
