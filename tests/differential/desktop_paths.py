"""The desktop core's write paths for a history's ops, and the numbers its store serves.

Paths: the services (what the app and ``kleio play/clean`` call) one op at a time; an import
document (``ExchangeService.import_document``, ``kleio import``); a predecessor file
(``LegacyService.import_file``, ``kleio import-legacy``); changes pulled from another
device (``Store.apply_remote_changes``: full rows with their field clocks, as the server
sends them); the Discogs import landing in the store (``StoreImportSink``: pages of listings,
a complete import archiving what left, release details arriving after the pages).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kleio_desktop.core.discogs.sink import StoreImportSink
from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.services import Services
from kleio_desktop.core.services.plays import PRIMARY
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.transaction import DELETED_CLOCK
from shared.clock import HybridClock
from shared.domain.durations import estimate_seconds, release_duration
from shared.legacy.ids import legacy_uuid
from shared.protocol.entities import (
    Cleaning,
    CollectionItem,
    Folder,
    Play,
    PlayPatch,
    Release,
    ReleaseArtist,
    Stylus,
    StylusIn,
    StylusPatch,
)
from shared.protocol.exchange import ExportDocument
from shared.protocol.sync import Change
from tests.differential import history as h
from tests.differential import legacy_file
from tests.differential import model as m
from tests.differential import ops as o
from tests.differential.compare import Differences
from tests.differential.server_paths import batches

ADDED_AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
LEGACY_OWNER = uuid.UUID("0190f000-0000-7000-8000-00000000c1e0")
"""The signed-in user the desktop's legacy import derives its ids for."""
FOLDERS = [Folder(id=0, name="All", count=0), Folder(id=1, name="Uncategorized", count=0)]


def release_id(index: int) -> int:
    return 7001 + index


def instance_id(index: int) -> int:
    return 90_001 + index


def listing(spec: h.ReleaseSpec, index: int) -> Release:
    formats = m.release_formats(spec)
    return Release(
        id=release_id(index),
        title=f"Record {index}",
        year=1970 + index,
        artists=[ReleaseArtist(id=7 + index, name=f"Artist {index}")],
        formats=formats,
        genres=[spec.genre],
        duration_seconds=estimate_seconds(formats),
        duration_estimated=True,
    )


def details(spec: h.ReleaseSpec, index: int) -> Release:
    tracks = m.release_tracks(spec)
    seconds, estimated = release_duration(tracks, m.release_formats(spec))
    return listing(spec, index).model_copy(
        update={
            "tracks": tracks,
            "duration_seconds": seconds,
            "duration_estimated": estimated,
            "fetched_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        }
    )


@dataclass
class DesktopTarget:
    store: Store
    history: h.History
    model: m.Model
    services: Services = field(init=False)
    other_device: HybridClock = field(default_factory=lambda: HybridClock("other-device"))
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    ids: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # model id -> local id
    legacy_next: int = 1

    def __post_init__(self) -> None:
        self.services = Services.on(self.store)

    def local(self, model_id: uuid.UUID | None) -> uuid.UUID | None:
        return None if model_id is None else self.ids.get(model_id, model_id)

    # ---- the Discogs import ------------------------------------------------------------

    async def discogs_import(self, present: Iterable[int], *, with_details: Iterable[int]) -> None:
        sink = StoreImportSink(self.store)
        await sink.save_folders(FOLDERS)
        items = [
            CollectionItem(
                instance_id=instance_id(i), release_id=release_id(i), folder_id=1, added_at=ADDED_AT
            )
            for i in sorted(present)
        ]
        for number, start in enumerate(range(0, len(items), 2), start=1):
            page = items[start : start + 2]
            releases = [listing(self.history.releases[i], i) for i in sorted(present)]
            releases = [r for r in releases if r.id in {item.release_id for item in page}]
            await sink.save_page(number, page, releases)
        await sink.complete_collection(frozenset(item.instance_id for item in items))
        for index in with_details:
            await sink.save_release_details(details(self.history.releases[index], index))

    async def start(self) -> None:
        everything = range(len(self.history.releases))
        await self.discogs_import(everything, with_details=sorted(self.model.details))

    # ---- steps ------------------------------------------------------------------------

    async def run(self, route: h.Route, ops: list[o.Op]) -> None:
        for path, batch in batches(route, ops):
            if path == "push":  # a refused play never reaches another device: refuse it here
                await self.pulled([op for op in batch if not isinstance(op, o.RefusedPlay)])
                for op in batch:
                    if isinstance(op, o.RefusedPlay):
                        await self.service(op)
            elif path == "import":
                await self.import_document(batch)
            elif path == "legacy":
                await self.legacy_import(batch)
            else:
                for op in batch:
                    await self.service(op)

    async def service(self, op: o.Op) -> None:
        s = self.services
        match op:
            case o.NewPlay(play_id, release, at, stylus, sides, default):
                choice: Any = PRIMARY if default else self.local(stylus)
                changes = await s.plays.log_play(
                    release_id(release),
                    at=at,
                    stylus_id=choice,
                    sides=list(sides) if sides else None,
                )
                (self.ids[play_id],) = changes.plays
            case o.RefusedPlay(_, release, at, side):
                try:
                    await s.plays.log_play(release_id(release), at=at, stylus_id=None, sides=[side])
                except InvalidInput:
                    pass
                else:
                    raise AssertionError(f"a play of side {side} of record {release} was logged")
            case o.NewCleaning(cleaning_id, release, at, deep):
                changes = await s.cleanings.log_cleaning(release_id(release), at=at, deep=deep)
                (self.ids[cleaning_id],) = changes.cleanings
            case o.Both(cleaning_id, play_id, release, at, stylus, default):
                choice = PRIMARY if default else self.local(stylus)
                changes = await s.cleanings.log_both(release_id(release), at=at, stylus_id=choice)
                (self.ids[cleaning_id],) = changes.cleanings
                (self.ids[play_id],) = changes.plays
            case o.PlayEdit(play_id, release, at, sides, clear):
                patch: dict[str, Any] = {}
                if release is not None:
                    patch["release_id"] = release_id(release)
                if at is not None:
                    patch["played_at"] = at
                if sides is not None or clear:
                    patch["sides"] = list(sides) if sides else None
                local = self.local(play_id)
                assert local is not None
                await s.plays.edit_play(local, PlayPatch(**patch))
            case o.Removal("play", row_id):
                await s.plays.delete_play(self._local(row_id))
            case o.Removal("cleaning", row_id):
                await s.cleanings.delete_cleaning(self._local(row_id))
            case o.Revival():
                await self.pulled([op])  # no local action revives a row: another device's restore
            case o.NewStylus(stylus_id, lifespan, primary, _):
                row = self._stylus(stylus_id)  # as it was made, not as the step left it
                fields = row.model_dump(exclude={"id", "lifespan_hours", "primary"})
                assert row.id == stylus_id
                made = StylusIn(id=stylus_id, lifespan_hours=lifespan, primary=primary, **fields)
                await s.styluses.add_stylus(made)
            case o.StylusLifespan(stylus_id, lifespan):
                patch = StylusPatch(lifespan_hours=lifespan)
                await s.styluses.edit_stylus(self._local(stylus_id), patch)
            case o.StylusPrimary(stylus_id, _):
                await s.styluses.set_primary(self._local(stylus_id))
            case o.StylusRemoval(stylus_id, _):
                await s.styluses.delete_stylus(self._local(stylus_id))
            case o.ItemArchive(release, at):
                await s.collection.archive(instance_id(release), "user", at=at)
            case o.ItemRestore(release):
                await s.collection.restore(instance_id(release))
            case o.Details(release):
                await StoreImportSink(self.store).save_release_details(
                    details(self.history.releases[release], release)
                )
            case o.Import(present):
                await self.discogs_import(present, with_details=())
            case _:
                raise AssertionError(op)

    def _local(self, model_id: uuid.UUID) -> uuid.UUID:
        local = self.local(model_id)
        assert local is not None
        return local

    # ---- full rows as the model has them now (what another device's pull carries) ----

    def _play(self, play_id: uuid.UUID) -> Play:
        row = self.model.plays[play_id]
        return Play(
            id=self._local(play_id),
            release_id=release_id(row.release),
            played_at=row.at,
            stylus_id=self.local(row.stylus_id),
            sides=list(row.sides) if row.sides else None,
        )

    def _cleaning(self, cleaning_id: uuid.UUID) -> Cleaning:
        row = self.model.cleanings[cleaning_id]
        return Cleaning(
            id=self._local(cleaning_id), release_id=release_id(row.release), cleaned_at=row.at
        )

    def _stylus(self, stylus_id: uuid.UUID) -> Stylus:
        row = self.model.styluses[stylus_id]
        return Stylus(
            id=self._local(stylus_id),
            name=f"Stylus {str(stylus_id)[-4:]}",
            manufacturer="Ortofon",
            lifespan_hours=row.lifespan,
            primary=row.primary,
        )

    def _item(self, release: int) -> CollectionItem:
        row = self.model.items[release]
        return CollectionItem(
            instance_id=instance_id(release),
            release_id=release_id(release),
            folder_id=1,
            added_at=ADDED_AT,
            archived_at=row.archived_at,
            archive_reason=row.archive_reason,
        )

    def _touched(self, op: o.Op) -> list[tuple[str, Any]]:
        match op:
            case o.NewPlay(play_id=play_id) | o.PlayEdit(play_id=play_id):
                return [("play", play_id)]
            case o.NewCleaning(cleaning_id=cleaning_id):
                return [("cleaning", cleaning_id)]
            case o.Both(cleaning_id=cleaning_id, play_id=play_id):
                return [("cleaning", cleaning_id), ("play", play_id)]
            case o.Removal(kind, row_id) | o.Revival(kind, row_id):
                return [(kind, row_id)]
            case (
                o.NewStylus(stylus_id=stylus_id, demoted=demoted)
                | o.StylusPrimary(stylus_id=stylus_id, demoted=demoted)
            ):
                return [("stylus", s) for s in (demoted, stylus_id) if s is not None]
            case o.StylusLifespan(stylus_id=stylus_id):
                return [("stylus", stylus_id)]
            case o.StylusRemoval(stylus_id, unlinked):
                return [*(("play", p) for p in unlinked), ("stylus", stylus_id)]
            case o.ItemArchive(release=release) | o.ItemRestore(release=release):
                return [("collection_item", release)]
        raise AssertionError(f"{op} does not travel in a pull")

    def _change(self, entity: str, key: Any) -> Change:
        if entity == "play":
            row: Any = self._play(key)
            deleted = self.model.plays[key].deleted
        elif entity == "cleaning":
            row, deleted = self._cleaning(key), self.model.cleanings[key].deleted
        elif entity == "stylus":
            row, deleted = self._stylus(key), self.model.styluses[key].deleted
        else:
            row, deleted = self._item(key), False
        data = row.model_dump(mode="json")
        entity_id = str(data.pop("instance_id" if entity == "collection_item" else "id"))
        stamp = self.other_device.now().encode()
        data["field_clocks"] = {name: stamp for name in [*data, DELETED_CLOCK]}
        return Change(
            seq=next(self.seq), entity=entity, entity_id=entity_id, deleted=deleted, data=data
        )

    async def pulled(self, ops: list[o.Op]) -> None:
        """The ops as another device made them, arriving in one pulled page: each touched row
        once, in its state after the ops (what the server's pull carries)."""
        self.other_device.observe(self.store.last_clock)
        touched = dict.fromkeys(key for op in ops for key in self._touched(op))
        await self.store.apply_remote_changes([self._change(*key) for key in touched])

    async def legacy_import(self, ops: list[o.Op]) -> None:
        """``kleio import-legacy``'s work for the signed-in ``LEGACY_OWNER``: the rows get
        ids derived from the file's, which stand for the model's from now on."""
        path = self.store.home / f"legacy-{self.legacy_next}.db"
        written = legacy_file.LegacyFile()
        releases = [release_id(i) for i in range(len(self.history.releases))]
        written.write(path, ops, releases, self.legacy_next)
        self.legacy_next += 10 * len(ops) + 10
        report, _ = await self.services.legacy.import_file(path, LEGACY_OWNER)
        assert report.problems == [] and report.unchanged == 0, report
        for kind, model_id, legacy_id, at in written.rows:
            instant = at if isinstance(at, dt.datetime) else None
            table = legacy_file.TABLES[kind]
            self.ids[model_id] = legacy_uuid(LEGACY_OWNER, table, legacy_id, instant)

    async def import_document(self, ops: list[o.Op]) -> None:
        styluses, plays, cleanings = [], [], []
        for op in ops:
            match op:
                case o.NewPlay(play_id=play_id):
                    plays.append(self._play(play_id))
                case o.NewCleaning(cleaning_id=cleaning_id):
                    cleanings.append(self._cleaning(cleaning_id))
                case o.NewStylus(stylus_id=stylus_id, primary=primary):
                    styluses.append(self._stylus(stylus_id).model_copy(update={"primary": primary}))
                case _:
                    raise AssertionError(f"{op} does not travel in an import")
        document = ExportDocument(
            exported_at=dt.datetime.now(dt.UTC), styluses=styluses, plays=plays, cleanings=cleanings
        )
        await self.services.exchange.import_document(document)

    # ---- what the store serves ---------------------------------------------------------

    async def differences(self, model: m.Model, now: dt.datetime) -> Differences:
        diff = Differences()
        s = self.services
        active = {e.item.instance_id: e for e in await s.collection.list_items(archived=False)}
        archived = {e.item.instance_id: e for e in await s.collection.list_items(archived=True)}
        for index in range(len(self.history.releases)):
            where = f"record {index}"
            expected = model.status(index, now)
            detail = await s.status.record_detail(release_id(index), now=now)
            diff.status(where, detail.status, expected)
            seconds, estimated = model.duration(index)
            release = detail.release
            assert release is not None
            diff.check(f"{where} duration_seconds", release.duration_seconds, seconds)
            diff.check(f"{where} duration_estimated", release.duration_estimated, estimated)
            is_archived = model.items[index].archived_at is not None
            diff.check(f"{where} archived", instance_id(index) in archived, is_archived)
            diff.check(f"{where} listed", instance_id(index) in active, not is_archived)
            entry = (archived if is_archived else active).get(instance_id(index))
            if entry is not None:
                diff.check(f"{where} list plays", entry.plays, expected.plays)
                diff.check(
                    f"{where} list last_played_at", entry.last_played_at, expected.last_played_at
                )
                diff.check(
                    f"{where} list last_cleaned_at", entry.last_cleaned_at, expected.last_cleaned_at
                )
        app = await s.status.app_status()  # kleio status
        diff.check("status collection_items", app.collection_items, len(active))
        plays, _ = model.totals()
        diff.check("status plays", app.plays, plays)
        cleanings = sum(1 for c in model.cleanings.values() if not c.deleted)
        diff.check("status cleanings", app.cleanings, cleanings)
        live = [st.id for st in await s.styluses.list_styluses()]
        expected = [self._local(st) for st in model.live_styluses()]
        diff.check("styluses", sorted(map(str, live)), sorted(map(str, expected)))
        for stylus_id in model.live_styluses():
            local = self._local(stylus_id)
            if local in live:
                plays, wear = model.wear(stylus_id)
                diff.wear(f"stylus {stylus_id} wear", await s.styluses.wear(local), plays, wear)
        return diff
