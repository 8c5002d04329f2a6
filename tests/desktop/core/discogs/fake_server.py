"""A fake of the sync server's snapshot contract behind ``httpx.MockTransport``.

Validates every body with the shared wire models and enforces what the real server does
(bearer auth, pages of at most 500 items, an item's release on its page, listings without
a tracklist on pages, a complete commit only with exactly ``expected_items`` distinct
instances).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from kleio_desktop.core.auth import LocalKeyAuth
from kleio_desktop.core.discogs import ServerLink
from shared.protocol.entities import Release
from shared.protocol.snapshot import CollectionPage, SnapshotBegin, SnapshotCommit

KEY = "local-access-key"
URL = "http://kleio.test"


@dataclass
class Snapshot:
    begin: SnapshotBegin
    pages: dict[int, CollectionPage] = field(default_factory=dict)
    committed: bool = False

    def instances(self) -> set[int]:
        return {item.instance_id for page in self.pages.values() for item in page.items}


@dataclass
class FakeKleioServer:
    known: set[int] = field(default_factory=set)
    """Release ids whose details the server knows (tracklist or not)."""
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    details: dict[int, Release] = field(default_factory=dict)
    known_queries: list[list[int]] = field(default_factory=list)
    fail_commit: int = 0
    """Answer the next this many commits with 503."""

    def link(self, http: httpx.AsyncClient) -> ServerLink:
        return ServerLink(http, URL, LocalKeyAuth(KEY))

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    def committed(self) -> list[Snapshot]:
        return [s for s in self.snapshots.values() if s.committed]

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {KEY}":
            return httpx.Response(401, json={"title": "Unauthorized", "status": 401})
        path = request.url.path.removeprefix("/api/v1")
        body = json.loads(request.content) if request.content else None
        try:
            return self._route(request.method, path, request.url.params, body)
        except ValueError as exc:
            return httpx.Response(422, json={"title": "Invalid", "detail": str(exc)})

    def _route(self, method: str, path: str, params: Any, body: Any) -> httpx.Response:
        if method == "GET" and path == "/releases/known":
            ids = [int(i) for i in params["ids"].split(",")]
            self.known_queries.append(ids)
            return httpx.Response(200, json={"with_tracklist": sorted(self.known & set(ids))})
        if method == "PUT" and (m := re.fullmatch(r"/releases/(\d+)/details", path)):
            release = Release.model_validate(body)
            assert release.id == int(m[1])
            self.details[release.id] = release
            self.known.add(release.id)
            return httpx.Response(202, json={"release_id": release.id, "shared": True})
        if method == "POST" and path == "/collection/snapshots":
            snapshot_id = str(uuid.uuid4())
            self.snapshots[snapshot_id] = Snapshot(SnapshotBegin.model_validate(body))
            return httpx.Response(201, json=self._info(snapshot_id))
        if method == "PUT" and (
            m := re.fullmatch(r"/collection/snapshots/([^/]+)/pages/(\d+)", path)
        ):
            page = CollectionPage.model_validate(body)
            if any(release.tracks for release in page.releases):
                raise ValueError("send details through /releases/{id}/details")
            on_page = {release.id for release in page.releases}
            if any(item.release_id not in on_page for item in page.items):
                raise ValueError("an item's release is missing from its page")
            self.snapshots[m[1]].pages[int(m[2])] = page
            return httpx.Response(200, json=self._info(m[1]))
        if method == "POST" and (m := re.fullmatch(r"/collection/snapshots/([^/]+)/commit", path)):
            assert SnapshotCommit.model_validate(body).complete
            if self.fail_commit:
                self.fail_commit -= 1
                return httpx.Response(503, json={"title": "Unavailable", "detail": "busy"})
            snapshot = self.snapshots[m[1]]
            if len(snapshot.instances()) != snapshot.begin.expected_items:
                raise ValueError("snapshot incomplete")
            snapshot.committed = True
            total = len(snapshot.instances())
            return httpx.Response(
                200,
                json={
                    "added": total,
                    "updated": 0,
                    "unchanged": 0,
                    "archived": 0,
                    "restored": 0,
                    "total": total,
                },
            )
        return httpx.Response(404, json={"title": "Not found"})

    def _info(self, snapshot_id: str) -> dict[str, Any]:
        return {
            "id": snapshot_id,
            "state": "open",
            "pages_received": sorted(self.snapshots[snapshot_id].pages),
            "expires_at": "2030-01-01T00:00:00+00:00",
        }
