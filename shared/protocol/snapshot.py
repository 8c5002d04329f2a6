"""Collection snapshots, release details and Discogs coordination on the wire (``/api/v1``).

A completed Discogs import reaches the server as a snapshot::

    POST /collection/snapshots                  SnapshotBegin   -> 201 SnapshotInfo
    PUT  /collection/snapshots/{id}/pages/{n}   CollectionPage    -> 200 SnapshotInfo
    GET  /collection/snapshots/{id}                             -> 200 SnapshotInfo (resume)
    POST /collection/snapshots/{id}/commit      SnapshotCommit  -> 200 ReconcileResult

One snapshot is open per user at a time (another begin gets 409 until it is committed or
has expired, ``SNAPSHOT_TTL_SECONDS`` after its last page). A page is idempotent per number
(sending it again replaces it); an item's ``release_id`` must be among the page's releases
or already known to the server. ``complete=true`` needs exactly ``expected_items`` distinct
instances staged (else 422); only a complete snapshot archives the items that left the
collection (``removed_on_discogs``) and restores those that came back.

Release details (with a tracklist) a client fetched itself::

    PUT /releases/{id}/details   Release          -> 202 DetailsAccepted
    GET /releases/known?ids=1,2  -> 200 KnownReleases (ids whose details the caller sees)

Coordination::

    POST   /discogs/refresh      -> 202 RefreshAccepted (409 when nobody can run it)
    PUT    /discogs/token        DiscogsTokenIn -> 200 DiscogsTokenStatus (checked first)
    GET    /discogs/token        -> 200 DiscogsTokenStatus (never the token itself)
    DELETE /discogs/token        -> 204
    POST   /discogs/progress     ImportProgressReport -> 204 (a desktop's import, relayed)
    GET    /discogs/status       -> 200 DiscogsImportStatus (the last import and its outcome)

Socket messages from the server: ``RefreshRequestMessage`` (to one desktop of the user),
``ImportProgressMessage`` (to every socket of the user while the server, or a desktop of
theirs that reports its progress, imports).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from shared.protocol.entities import CollectionItem, Folder, Name, Release, Wire

MAX_EXPECTED_ITEMS = 200_000
MAX_PAGE_NUMBER = 2000
MAX_PAGE_ITEMS = 500
MAX_PAGE_RELEASES = 500
MAX_FOLDERS = 1000
MAX_KNOWN_IDS = 1000
SNAPSHOT_TTL_SECONDS = 3600

SnapshotState = Literal["open", "committed", "expired"]


class SnapshotBegin(Wire):
    source: Literal["discogs"]
    username: Name
    expected_items: Annotated[int, Field(ge=0, le=MAX_EXPECTED_ITEMS)]
    folders: Annotated[list[Folder], Field(max_length=MAX_FOLDERS)] = []


class SnapshotInfo(BaseModel):
    id: uuid.UUID
    state: SnapshotState
    pages_received: list[int]
    expires_at: AwareDatetime


class CollectionPage(Wire):
    """One page of the collection: its items and their releases' basic information (as the
    collection listing gives it: no tracklist — details go through ``/releases/{id}/details``)."""

    items: Annotated[list[CollectionItem], Field(max_length=MAX_PAGE_ITEMS)]
    releases: Annotated[list[Release], Field(max_length=MAX_PAGE_RELEASES)] = []


class SnapshotCommit(Wire):
    complete: bool


class ReconcileResult(BaseModel):
    added: int
    updated: int
    unchanged: int
    archived: int
    restored: int
    total: int
    """Distinct instances in the snapshot."""


class DetailsAccepted(BaseModel):
    release_id: int
    shared: bool
    """True when the shared catalogue holds details of this release (fetched by the server
    from Discogs itself; an upload never makes it so: it is the uploader's alone)."""


class KnownReleases(BaseModel):
    with_tracklist: list[int]


class DiscogsTokenIn(Wire):
    """A Discogs personal access token (visible ASCII: it travels in an HTTP header)."""

    token: Annotated[str, StringConstraints(pattern=r"^[!-~]{1,200}$")]


class DiscogsTokenStatus(BaseModel):
    stored: bool
    username: str | None = None


class RefreshAccepted(BaseModel):
    via: Literal["desktop", "server", "none"]
    detail: str = ""


class RefreshRequestMessage(BaseModel):
    """Server -> one desktop socket: run a Discogs import now and upload it as a snapshot."""

    type: Literal["refresh_request"] = "refresh_request"
    requested_at: dt.datetime


class ImportProgressMessage(BaseModel):
    """Server -> every socket of the user while the server imports on their behalf, or a
    desktop of theirs does (``via``)."""

    type: Literal["import_progress"] = "import_progress"
    state: Literal["running", "done", "failed"]
    step: str
    pages_done: int = 0
    pages_total: int | None = None
    releases_done: int = 0
    releases_total: int | None = None
    eta_seconds: float | None = None
    detail: str = ""
    via: Literal["server", "desktop"] = "server"


Count = Annotated[int, Field(ge=0, le=10_000_000)]


class ImportProgressReport(Wire):
    """Desktop -> server: how its Discogs import is going (relayed to the user's sockets);
    ``done`` or ``failed`` also records the outcome for ``GET /discogs/status``."""

    state: Literal["running", "done", "failed"]
    step: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]
    pages_done: Count = 0
    pages_total: Count | None = None
    releases_done: Count = 0
    releases_total: Count | None = None
    eta_seconds: Annotated[float, Field(ge=0, le=10_000_000)] | None = None
    detail: Annotated[str, StringConstraints(max_length=500)] = ""


class DiscogsImportStatus(BaseModel):
    """The user's last (or current) Discogs import: ``idle`` (none yet), ``running``,
    ``done`` or ``failed``; when it finished, who ran it and why it failed."""

    state: Literal["idle", "running", "done", "failed"]
    via: Literal["server", "desktop"] | None = None
    finished_at: dt.datetime | None = None
    error: str | None = None
