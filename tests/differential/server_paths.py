"""The server's write paths for a history's ops, and what it serves back.

Paths: REST one request per op; a sync push batch (ops of any releases, as a device sends its
outbox); an import document (``POST /import``); a complete collection snapshot (the first
import and every re-import, reconciled by the server); release details uploaded later
(``PUT /releases/{id}/details``); a predecessor database imported for the user (what
``kleio-server import-legacy`` runs). Ops a route's path cannot carry go through REST, in
order. What the server then serves is read by ``server_numbers``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kleio_server.deps import Kleio
from kleio_server.exchange.legacy_import import import_legacy
from shared.clock import HybridClock
from shared.domain.durations import estimate_seconds, release_duration
from shared.domain.status import log_both_times
from shared.legacy.ids import legacy_uuid
from shared.legacy.reader import read_legacy
from tests.differential import history as h
from tests.differential import legacy_file
from tests.differential import model as m
from tests.differential import ops as o
from tests.server.conftest import ApiUser
from tests.server.seed import user_id_of

API = "/api/v1"
Batch = tuple[str, list[o.Op]]


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _id(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


class Server:
    """The app's container, with a short repr: Hypothesis prints a failing test's arguments
    (a dataclass field by field, so this is a plain class)."""

    def __init__(self, kleio: Kleio) -> None:
        self.kleio = kleio

    def __repr__(self) -> str:
        return "Server(...)"


@dataclass
class ServerTarget:
    kleio: Kleio
    user: ApiUser
    history: h.History
    model: m.Model
    release_ids: list[int]
    workdir: Path
    legacy_next: int = 1
    aliases: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)
    clock: HybridClock = field(default_factory=lambda: HybridClock("diff-device"))
    next_mutation: int = 1

    def release_id(self, index: int) -> int:
        return self.release_ids[index]

    def instance_id(self, index: int) -> int:
        return self.release_ids[index] + 500_000

    # ---- the catalogue side: listings, snapshots, details ----------------------------

    def listing(self, index: int) -> dict[str, Any]:
        spec = self.history.releases[index]
        formats = m.release_formats(spec)
        return {
            "id": self.release_id(index),
            "title": f"Record {index}",
            "year": 1970 + index,
            "artists": [{"id": 7 + index, "name": f"Artist {index}"}],
            "formats": [f.model_dump(mode="json") for f in formats],
            "genres": [spec.genre],
            "duration_seconds": estimate_seconds(formats),
            "duration_estimated": True,
        }

    def details(self, index: int) -> dict[str, Any]:
        spec = self.history.releases[index]
        tracks = m.release_tracks(spec)
        seconds, estimated = release_duration(tracks, m.release_formats(spec))
        return {
            **self.listing(index),
            "tracks": [t.model_dump(mode="json") for t in tracks],
            "duration_seconds": seconds,
            "duration_estimated": estimated,
            "fetched_at": "2026-01-01T00:00:00+00:00",
        }

    async def snapshot(self, present: Sequence[int]) -> None:
        items: list[dict[str, Any]] = [
            {
                "instance_id": self.instance_id(i),
                "release_id": self.release_id(i),
                "folder_id": 1,
                "rating": 0,
                "added_at": "2025-01-01T00:00:00+00:00",
            }
            for i in sorted(present)
        ]
        begin = {
            "source": "discogs",
            "username": "collector",
            "expected_items": len(items),
            "folders": [{"id": 0, "name": "All", "count": len(items)}],
        }
        info = await self._ok("POST", "/collection/snapshots", begin)
        if items:  # pages of two: a snapshot spans pages
            for number, start in enumerate(range(0, len(items), 2), start=1):
                page = items[start : start + 2]
                releases = [self.listing(self._index(item["release_id"])) for item in page]
                url = f"/collection/snapshots/{info['id']}/pages/{number}"
                await self._ok("PUT", url, {"items": page, "releases": releases})
        await self._ok("POST", f"/collection/snapshots/{info['id']}/commit", {"complete": True})

    def _index(self, release_id: int) -> int:
        return self.release_ids.index(release_id)

    async def start(self, model: m.Model) -> None:
        await self.snapshot(range(len(self.history.releases)))
        for index in sorted(model.details):
            await self._ok(
                "PUT", f"/releases/{self.release_id(index)}/details", self.details(index)
            )

    # ---- steps ------------------------------------------------------------------------

    async def run(self, route: h.Route, ops: list[o.Op]) -> None:
        self.aliases.clear()
        for path, drawn in batches(route, ops):
            batch = [_aliased(op, self.aliases) for op in drawn]
            if path == "push":
                await self.push(batch)
            elif path == "import":
                await self.import_document(batch)
            elif path == "legacy":
                await self.legacy_import(batch)
            else:
                for op in batch:
                    await self.rest(op)

    async def push(self, ops: list[o.Op]) -> None:
        """One batch; the server rejects exactly the plays naming a side their record lacks,
        and applies the rest."""
        mutations, refused = [], []
        for op in ops:
            for mutation in self.mutations(op):
                mutations.append(mutation)
                if isinstance(op, o.RefusedPlay):
                    refused.append(mutation["mutation_id"])
        body = {"client_id": str(self.client_id), "mutations": mutations}
        answer = await self._ok("POST", "/sync/push", body)
        rejected = sorted(r["mutation_id"] for r in answer["rejected"])
        assert rejected == refused, (
            f"push {mutations}: rejected {answer['rejected']}, not {refused}"
        )

    def _mutation(
        self, entity: str, entity_id: object, fields: dict[str, Any], op: str = "upsert"
    ) -> dict[str, Any]:
        number, self.next_mutation = self.next_mutation, self.next_mutation + 1
        return {
            "mutation_id": number,
            "entity": entity,
            "entity_id": str(entity_id),
            "op": op,
            "fields": fields,
            "hlc": self.clock.now().encode(),
        }

    def _play_fields(self, op: o.NewPlay) -> dict[str, Any]:
        return {
            "release_id": self.release_id(op.release),
            "played_at": _iso(op.at),
            "stylus_id": _id(op.stylus_id),
            "notes": "",
            "sides": list(op.sides) if op.sides else None,
        }

    def _edit_fields(self, op: o.PlayEdit) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if op.release is not None:
            fields["release_id"] = self.release_id(op.release)
        if op.at is not None:
            fields["played_at"] = _iso(op.at)
        if op.sides is not None or op.clear_sides:
            fields["sides"] = list(op.sides) if op.sides else None
        return fields

    def mutations(self, op: o.Op) -> Iterator[dict[str, Any]]:
        mut = self._mutation
        match op:
            case o.NewPlay():
                yield mut("play", op.play_id, self._play_fields(op))
            case o.RefusedPlay(play_id, release, at, side):
                play = o.NewPlay(play_id, release, at, None, (side,), False)
                yield mut("play", play_id, self._play_fields(play))
            case o.NewCleaning(cleaning_id, release, at, deep):
                fields = {"release_id": self.release_id(release), "cleaned_at": _iso(at)}
                yield mut("cleaning", cleaning_id, {**fields, "notes": "", "deep": deep})
            case o.Both(cleaning_id, play_id, release, at, stylus, _):
                cleaned_at, played_at = log_both_times(at)
                fields = {"release_id": self.release_id(release), "cleaned_at": _iso(cleaned_at)}
                yield mut("cleaning", cleaning_id, {**fields, "notes": "", "deep": False})
                play = o.NewPlay(play_id, release, played_at, stylus, None, False)
                yield mut("play", play_id, self._play_fields(play))
            case o.PlayEdit():
                yield mut("play", op.play_id, self._edit_fields(op))
            case o.Removal(kind, row_id):
                yield mut(kind, row_id, {}, op="delete")
            case o.Revival(kind, row_id):
                yield mut(kind, row_id, {}, op="restore")
            case o.NewStylus(stylus_id, lifespan, primary, demoted):
                if demoted is not None:
                    yield mut("stylus", demoted, {"primary": False})
                yield mut("stylus", stylus_id, _stylus_fields(stylus_id, lifespan, primary))
            case o.StylusLifespan(stylus_id, lifespan):
                yield mut("stylus", stylus_id, {"lifespan_hours": lifespan})
            case o.StylusPrimary(stylus_id, demoted):
                if demoted is not None:
                    yield mut("stylus", demoted, {"primary": False})
                yield mut("stylus", stylus_id, {"primary": True, "active": True})
            case o.StylusRemoval(stylus_id, unlinked):
                for play_id in unlinked:
                    yield mut("play", play_id, {"stylus_id": None})
                yield mut("stylus", stylus_id, {}, op="delete")
            case o.ItemArchive(release, at):
                fields = {"archived_at": _iso(at), "archive_reason": "user"}
                yield mut("collection_item", self.instance_id(release), fields)
            case o.ItemRestore(release):
                fields = {"archived_at": None, "archive_reason": None}
                yield mut("collection_item", self.instance_id(release), fields)
            case _:
                raise AssertionError(f"{op} does not travel in a push")

    async def legacy_import(self, ops: list[o.Op]) -> None:
        """``kleio-server import-legacy``'s work (read the file, import it for the user); the
        rows get ids derived from the file's, which the model takes over."""
        path = self.workdir / f"legacy-{self.legacy_next}.db"
        written = legacy_file.LegacyFile()
        written.write(path, ops, self.release_ids, self.legacy_next)
        self.legacy_next += 10 * len(ops) + 10
        data = await asyncio.to_thread(read_legacy, path)
        assert data.problems == [], data.problems
        user_id = await user_id_of(self.kleio, self.user)
        await import_legacy(self.kleio.sessions, self.kleio.applier, user_id, data)
        for kind, model_id, legacy_id, at in written.rows:
            instant = at if isinstance(at, dt.datetime) else None
            new_id = legacy_uuid(user_id, legacy_file.TABLES[kind], legacy_id, instant)
            self.model.rename(kind, model_id, new_id)
            self.aliases[model_id] = new_id  # for the rest of the step's ops

    async def import_document(self, ops: list[o.Op]) -> None:
        document: dict[str, Any] = {
            "format": "kleio-export",
            "version": 1,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(),
            "styluses": [],
            "plays": [],
            "cleanings": [],
        }
        for op in ops:
            match op:
                case o.NewPlay():
                    document["plays"].append({"id": str(op.play_id), **self._play_fields(op)})
                case o.NewCleaning(cleaning_id, release, at, deep):
                    document["cleanings"].append(
                        {
                            "id": str(cleaning_id),
                            "release_id": self.release_id(release),
                            "cleaned_at": _iso(at),
                            "deep": deep,
                        }
                    )
                case o.NewStylus(stylus_id, lifespan, primary, _):
                    fields = _stylus_fields(stylus_id, lifespan, primary)
                    document["styluses"].append({"id": str(stylus_id), **fields})
                case _:
                    raise AssertionError(f"{op} does not travel in an import")
        await self._ok("POST", "/import", document)

    async def rest(self, op: o.Op) -> None:
        match op:
            case o.NewPlay():
                body = {"id": str(op.play_id), **self._play_fields(op)}
                if op.default_stylus:
                    del body["stylus_id"]
                if body["sides"] is None:
                    del body["sides"]
                await self._ok("POST", "/plays", body)
            case o.RefusedPlay(play_id, release, at, side):
                play = o.NewPlay(play_id, release, at, None, (side,), False)
                body = {"id": str(play_id), **self._play_fields(play)}
                response = await self.user.post(API + "/plays", json=body)
                kind = response.headers.get("content-type", "")
                assert response.status_code == 422, f"POST /plays {body}: {response.text}"
                assert kind.startswith("application/problem+json"), kind
            case o.NewCleaning(cleaning_id, release, at, deep):
                body = {"id": str(cleaning_id), "release_id": self.release_id(release)}
                await self._ok("POST", "/cleanings", {**body, "cleaned_at": _iso(at), "deep": deep})
            case o.Both(cleaning_id, play_id, release, at, stylus, default):
                body = {
                    "release_id": self.release_id(release),
                    "at": _iso(at),
                    "play_id": str(play_id),
                    "cleaning_id": str(cleaning_id),
                }
                if not default:
                    body["stylus_id"] = _id(stylus)
                await self._ok("POST", "/plays/with-cleaning", body)
            case o.PlayEdit():
                await self._ok("PATCH", f"/plays/{op.play_id}", self._edit_fields(op))
            case o.Removal(kind, row_id):
                await self._ok("DELETE", f"/{kind}s/{row_id}")
            case o.Revival():
                await self.push([op])  # no REST call revives a row: a device's restore
            case o.NewStylus(stylus_id, lifespan, primary, _):
                body = {"id": str(stylus_id), **_stylus_fields(stylus_id, lifespan, primary)}
                await self._ok("POST", "/styluses", body)
            case o.StylusLifespan(stylus_id, lifespan):
                await self._ok("PATCH", f"/styluses/{stylus_id}", {"lifespan_hours": lifespan})
            case o.StylusPrimary(stylus_id, _):
                await self._ok("POST", f"/styluses/{stylus_id}/primary")
            case o.StylusRemoval(stylus_id, _):
                await self._ok("DELETE", f"/styluses/{stylus_id}")
            case o.ItemArchive(release, _):
                url = f"/collection/{self.instance_id(release)}/archive"
                await self._ok("POST", url, {"reason": "user"})
            case o.ItemRestore(release):
                await self._ok("POST", f"/collection/{self.instance_id(release)}/restore")
            case o.Details(release):
                url = f"/releases/{self.release_id(release)}/details"
                await self._ok("PUT", url, self.details(release))
            case o.Import(present):
                await self.snapshot(sorted(present))

    async def get(self, path: str) -> Any:
        return await self._ok("GET", path)

    async def _ok(self, method: str, path: str, body: Any = None) -> Any:
        kwargs = {} if body is None else {"json": body}
        response = await self.user.http.request(
            method, API + path, headers=self.user.headers, **kwargs
        )
        assert response.status_code < 300, f"{method} {path} {body}: {response.text}"
        return response.json() if response.content else None


def _aliased(op: o.Op, aliases: dict[uuid.UUID, uuid.UUID]) -> o.Op:
    """``op`` with the ids a path renamed earlier in the step replaced."""
    if not aliases:
        return op
    changed: dict[str, Any] = {}
    for item in dataclasses.fields(op):
        value = getattr(op, item.name)
        if isinstance(value, uuid.UUID) and value in aliases:
            changed[item.name] = aliases[value]
        elif isinstance(value, tuple) and any(v in aliases for v in value):
            changed[item.name] = tuple(aliases.get(v, v) for v in value)
    return dataclasses.replace(op, **changed) if changed else op


def _stylus_fields(stylus_id: uuid.UUID, lifespan: int | None, primary: bool) -> dict[str, Any]:
    return {
        "name": f"Stylus {str(stylus_id)[-4:]}",
        "manufacturer": "Ortofon",
        "lifespan_hours": lifespan,
        "purchased_on": None,
        "active": True,
        "primary": primary,
        "retired": False,
    }


PUSHABLE = (
    o.NewPlay,
    o.RefusedPlay,
    o.NewCleaning,
    o.Both,
    o.PlayEdit,
    o.Removal,
    o.Revival,
    o.NewStylus,
    o.StylusLifespan,
    o.StylusPrimary,
    o.StylusRemoval,
    o.ItemArchive,
    o.ItemRestore,
)
IMPORTABLE = (o.NewPlay, o.NewCleaning, o.NewStylus)


def batches(route: h.Route, ops: Sequence[o.Op]) -> list[Batch]:
    """Consecutive ops of one path, in order. An import carries at most one primary stylus
    (a file naming two is refused); a predecessor file what it can say (``legacy_file.fits``);
    whatever the route's path cannot carry goes by REST (one op a request)."""
    out: list[Batch] = []
    for op in ops:
        batch = out[-1][1] if out and out[-1][0] == route else []
        if route == "push" and isinstance(op, PUSHABLE):
            path = "push"
        elif route == "import" and isinstance(op, IMPORTABLE) and not _second_primary(batch, op):
            path = "import"
        elif route == "legacy" and legacy_file.fits(batch, op):
            path = "legacy"
        else:
            path = "rest"
        if out and out[-1][0] == path and (path == route or path == "rest"):
            out[-1][1].append(op)
        else:
            out.append((path, [op]))
    return out


def _second_primary(batch: list[o.Op], op: o.Op) -> bool:
    def primary(candidate: o.Op) -> bool:
        return isinstance(candidate, o.NewStylus) and candidate.primary

    return primary(op) and any(primary(earlier) for earlier in batch)
