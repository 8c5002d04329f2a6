"""Basic release information (a collection listing's: everything but the tracklist) as one
user's snapshot uploaded it. It is that user's alone: it never reaches the shared row, which
takes only what the server fetched from Discogs itself, so no user (nor any number of users
agreeing) can set what another user sees.

A user's view of a release is their own submission's basic information over the shared
row; ``basic_hash`` tells when the two are the same, so only a differing submission is
read back. Queries only (callers own the transaction and the locks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Uuid, and_, bindparam, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.sql import in_param, per_dialect
from kleio_server.kit.upsert import upsert
from kleio_server.models import (
    CatalogueViewer,
    Release,
    ReleaseBasicSubmission,
    ReleaseSubmission,
)
from shared.domain.durations import release_duration
from shared.domain.sorting import primary_artist
from shared.protocol import entities as wire

BASIC_FIELDS = frozenset(
    {"id", "title", "year", "thumb_url", "cover_url", "artists", "labels", "formats"}
    | {"genres", "styles"}
)
"""What a listing says about a release (the duration is derived, the fetch time varies)."""


def _stored_form(release: wire.Release) -> wire.Release:
    """The basic fields as the catalogue stores them (so a stored row hashes as it came):
    year 0 and artist/label id 0 are unknown, a genre or style listed twice is kept once."""
    return release.model_copy(
        update={
            "year": release.year or None,
            "artists": [a.model_copy(update={"id": a.id or None}) for a in release.artists],
            "labels": [lb.model_copy(update={"id": lb.id or None}) for lb in release.labels],
            "genres": list(dict.fromkeys(release.genres)),
            "styles": list(dict.fromkeys(release.styles)),
        }
    )


def normalised(release: wire.Release) -> wire.Release:
    """A listing as kept: the stored form, no tracklist, the duration estimated from the
    formats (a client's local tracklist must not make two faithful listings differ)."""
    stored = _stored_form(release)
    seconds, estimated = release_duration([], stored.formats)
    return stored.model_copy(
        update={"tracks": [], "duration_seconds": seconds, "duration_estimated": estimated}
    )


def basic_hash(release: wire.Release) -> str:
    """sha256 of the canonical JSON of the basic fields (of a listing or of full details)."""
    document = _stored_form(release).model_dump(mode="json", include=set(BASIC_FIELDS))
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def sort_keys(release: wire.Release) -> dict[str, str]:
    """The casefolded keys the collection sorts by (the same for shared and own rows)."""
    return {
        "sort_title": release.title.casefold(),
        "sort_artist": primary_artist(release.artists).casefold(),
        "sort_genre": (release.genres[0] if release.genres else "").casefold(),
    }


def with_basic(base: wire.Release | None, listing: wire.Release) -> wire.Release:
    """``listing``'s basic information over ``base``, which keeps its tracklist and, when it
    knows one, its real duration (``release_duration``: the tracks' sum does not depend on
    the formats). Only an estimated duration follows the listing's formats.

    Whether ``base`` was loaded with its tracks does not matter: a real duration is kept
    either way (ISSUE 9: loaded without tracks, every record fell to the estimate)."""
    if base is None:
        return listing
    fields = {name: getattr(listing, name) for name in BASIC_FIELDS}
    if base.duration_estimated or base.duration_seconds is None:
        fields.update(
            duration_seconds=listing.duration_seconds,
            duration_estimated=listing.duration_estimated,
        )
    return base.model_copy(update={**fields, "fetched_at": listing.fetched_at or base.fetched_at})


def _row(
    user_id: uuid.UUID, release: wire.Release, digest: str, now: dt.datetime
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "release_id": release.id,
        "payload": release.model_dump(mode="json"),
        "payload_hash": digest,
        "title": release.title,
        "year": release.year,
        **sort_keys(release),
        "genres": list(release.genres),
        "labels": [label.name for label in release.labels],
        "submitted_at": now,
    }


async def submit(
    session: AsyncSession, user_id: uuid.UUID, releases: Sequence[wire.Release], now: dt.datetime
) -> set[int]:
    """Keep each listing as the user's submission (only when it changed) and return the ids
    that changed, or whose shared row has no ``basic_hash`` yet (see ``set_basic_hashes``)."""
    listings = {r.id: normalised(r) for r in releases}
    if not listings:
        return set()
    ids = sorted(listings)
    digests = {i: basic_hash(listings[i]) for i in ids}
    s = ReleaseBasicSubmission
    mine = await own_hashes(session, user_id, ids)
    changed = [i for i in ids if mine.get(i) != digests[i]]
    await upsert(
        session,
        s.__table__,
        [_row(user_id, listings[i], digests[i], now) for i in changed],
        keys=["user_id", "release_id"],
        update=[c for c in _row(user_id, listings[ids[0]], "", now) if c not in _KEYS],
    )
    if changed:
        await bump_viewer(session, user_id)
    unhashed = set(
        await session.scalars(
            select(Release.id).where(Release.id.in_(ids), Release.basic_hash.is_(None))
        )
    )
    return set(changed) | unhashed


_KEYS = frozenset({"user_id", "release_id"})


async def bump_viewer(session: AsyncSession, user_id: uuid.UUID) -> None:
    """What ``user_id`` alone sees changed: their cached collection views are stale."""
    table = CatalogueViewer.__table__
    await upsert(
        session,
        table,
        [{"user_id": user_id, "version": 1}],
        keys=["user_id"],
        update=[],
        also={"version": table.c.version + 1},
    )


async def own_hashes(
    session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int]
) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    s = ReleaseBasicSubmission
    rows = await session.execute(
        select(s.release_id, s.payload_hash).where(s.user_id == user_id, s.release_id.in_(wanted))
    )
    return {rid: digest for rid, digest in rows}


async def own(session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int]) -> list[wire.Release]:
    """The user's listings among ``ids``."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    s = ReleaseBasicSubmission
    payloads = await session.scalars(
        select(s.payload).where(s.user_id == user_id, s.release_id.in_(wanted))
    )
    return [wire.Release.model_validate(payload) for payload in payloads]


async def overlays(
    session: AsyncSession, viewer: uuid.UUID, ids: Sequence[int], *, with_tracks: bool
) -> tuple[dict[int, wire.Release], dict[int, wire.Release]]:
    """What the viewer's own uploads put over the shared rows of ``ids``, in one query:
    (their details, consulted before the shared ones; their listings that differ from the
    shared row or have none to differ from, or stand over their own details)."""
    if not ids:
        return {}, {}
    params = {"viewer": viewer, "ids": list(ids)}
    found: tuple[dict[int, wire.Release], dict[int, wire.Release]] = ({}, {})
    for is_details, release_id, payload in await session.execute(_overlays(session), params):
        release = wire.Release.model_validate(payload)
        if is_details and not with_tracks:
            release = release.model_copy(update={"tracks": []})
        found[0 if is_details else 1][release_id] = release
    return found


@per_dialect
def _overlays(dialect: str) -> Any:
    viewer = bindparam("viewer", type_=Uuid)
    d = ReleaseSubmission
    own = and_(d.user_id == viewer, in_param(dialect, d.release_id, "ids"))
    details = select(literal(True).label("details"), d.release_id, d.payload).where(own)
    s = ReleaseBasicSubmission
    listings = (
        select(literal(False).label("details"), s.release_id, s.payload)
        .outerjoin(Release, Release.id == s.release_id)
        .where(
            s.user_id == viewer,
            in_param(dialect, s.release_id, "ids"),
            or_(
                Release.basic_hash.is_(None),
                Release.basic_hash != s.payload_hash,
                s.release_id.in_(select(d.release_id).where(own)),
            ),
        )
    )
    return union_all(details, listings)


async def lists(
    session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int] | None = None
) -> dict[int, tuple[list[str], list[str]]]:
    """(genres, label names) of the user's submissions (of ``ids``, else all of them)."""
    s = ReleaseBasicSubmission
    query = select(s.release_id, s.genres, s.labels).where(s.user_id == user_id)
    if ids is not None:
        query = query.where(s.release_id.in_(sorted(set(ids))))
    return {rid: (list(g), list(lb)) for rid, g, lb in await session.execute(query)}
