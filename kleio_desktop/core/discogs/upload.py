"""Talking to the sync server about a Discogs import (the snapshot contract).

* ``POST /api/v1/collection/snapshots`` ``{source, username, expected_items, folders}``
  -> 201 ``{id, state, pages_received, expires_at}``
* ``PUT /api/v1/collection/snapshots/{id}/pages/{n}`` ``{items, releases}`` (n from 1,
  at most 500 items) -> 200
* ``POST /api/v1/collection/snapshots/{id}/commit`` ``{complete: true}``
  -> ``{added, updated, unchanged, archived, restored, total}``
* ``GET /api/v1/releases/known?ids=1,2,3`` -> ``{with_tracklist: [...]}``
* ``PUT /api/v1/releases/{id}/details`` (a ``Release``) -> 202

The wire models are the server's own, ``shared.protocol.snapshot``; the requests go through
the desktop's one server client (``core.server_client``), ``UploadErrors`` says its failures.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel

from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.server_client import Problem, ServerClient
from shared.protocol.entities import CollectionItem, Folder, Release
from shared.protocol.snapshot import (
    MAX_KNOWN_IDS,
    MAX_PAGE_ITEMS,
    CollectionPage,
    ImportProgressReport,
    KnownReleases,
    ReconcileResult,
    SnapshotBegin,
    SnapshotCommit,
    SnapshotInfo,
)

logger = logging.getLogger(__name__)

SNAPSHOT_PAGE_ITEMS = MAX_PAGE_ITEMS
KNOWN_IDS_PER_REQUEST = min(200, MAX_KNOWN_IDS)


class UploadError(KleioError):
    """The sync server could not be reached or refused an upload; local data is untouched."""


@dataclass(frozen=True)
class Snapshot:
    """A complete Discogs collection, as this device stored it."""

    username: str
    folders: list[Folder]
    items: list[CollectionItem]
    releases: dict[int, Release]

    def pages(self) -> Iterable[CollectionPage]:
        for start in range(0, len(self.items), SNAPSHOT_PAGE_ITEMS):
            items = self.items[start : start + SNAPSHOT_PAGE_ITEMS]
            ids = dict.fromkeys(item.release_id for item in items)
            # a page carries listings; details went up on their own (PUT .../details)
            releases = [
                self.releases[i].model_copy(update={"tracks": []})
                for i in ids
                if i in self.releases
            ]
            yield CollectionPage(items=items, releases=releases)


class UploadErrors:
    """The server client's failures as ``UploadError``s."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url

    def unreachable(self, url: str, error: httpx.HTTPError) -> Exception:
        return UploadError(f"Cannot reach the Kleio server at {self.server_url}: {error}")

    def sign_in_failed(self, error: KleioError) -> Exception:
        return UploadError(str(error))

    def refused(self, problem: Problem) -> Exception:
        return UploadError(
            f"{self.server_url} refused the sign-in ({problem.status}); "
            f"run `kleio login --server {self.server_url}`."
        )

    def failed(self, problem: Problem) -> Exception:
        return UploadError(
            f"{problem.method} {problem.path} failed: {problem.status} {problem.said}"
        )

    def unreadable(self, response: httpx.Response, error: ValueError) -> Exception:
        where = f"{response.request.method} {response.request.url.path}"
        return UploadError(f"{where}: unexpected answer ({error})")


class ServerLink:
    """The signed-in sync server (``auth`` from ``auth_for_server``)."""

    def __init__(self, http: httpx.AsyncClient, server_url: str, auth: httpx.Auth) -> None:
        self.server_url = server_url.rstrip("/")
        self._client = ServerClient(
            http, UploadErrors(self.server_url), server_url=self.server_url, auth=auth
        )

    async def known_details(self, release_ids: Iterable[int]) -> set[int]:
        """Which of ``release_ids`` the server knows the details of for us (a tracklist, or
        Discogs' word that there is none; the answer's field is still ``with_tracklist``)."""
        ids = sorted(set(release_ids))
        known: set[int] = set()
        for start in range(0, len(ids), KNOWN_IDS_PER_REQUEST):
            chunk = ",".join(str(i) for i in ids[start : start + KNOWN_IDS_PER_REQUEST])
            answer = await self._client.call(
                "GET", "/releases/known", KnownReleases, params={"ids": chunk}
            )
            known.update(answer.with_tracklist)
        return known

    async def put_release_details(self, release: Release) -> None:
        await self._client.send("PUT", f"/releases/{release.id}/details", json=_json(release))

    async def upload_snapshot(self, snapshot: Snapshot) -> ReconcileResult:
        start = SnapshotBegin(
            source="discogs",
            username=snapshot.username,
            expected_items=len(snapshot.items),
            folders=snapshot.folders,
        )
        state = await self._client.call(
            "POST", "/collection/snapshots", SnapshotInfo, json=_json(start)
        )
        received = set(state.pages_received)
        for number, page in enumerate(snapshot.pages(), start=1):
            if number not in received:
                path = f"/collection/snapshots/{state.id}/pages/{number}"
                await self._client.send("PUT", path, json=_json(page))
        path = f"/collection/snapshots/{state.id}/commit"
        commit = _json(SnapshotCommit(complete=True))
        summary = await self._client.call("POST", path, ReconcileResult, json=commit)
        logger.info("snapshot %s committed: %s", state.id, summary.model_dump())
        return summary

    async def report_progress(self, report: ImportProgressReport) -> None:
        """How the import is going, for the user's other sockets and ``/discogs/status``."""
        await self._client.send("POST", "/discogs/progress", json=_json(report))


def _json(model: BaseModel) -> Any:
    return model.model_dump(mode="json")


def snapshot_of(
    username: str,
    folders: Sequence[Folder],
    items: Sequence[CollectionItem],
    releases: Iterable[Release],
) -> Snapshot:
    ordered = sorted(
        items,
        key=lambda item: (
            item.added_at or dt.datetime.min.replace(tzinfo=dt.UTC),
            item.instance_id,
        ),
    )
    return Snapshot(username, list(folders), ordered, {r.id: r for r in releases})
