"""The shared release catalogue: queries only (callers own the transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import basic
from kleio_server.catalogue.assemble import assemble
from kleio_server.catalogue.cache import ReleaseCache
from kleio_server.kit.sql import in_param, per_dialect
from kleio_server.kit.upsert import insert_ignore, upsert
from kleio_server.models import (
    Artist,
    CatalogueState,
    FormatDescription,
    Genre,
    Label,
    Release,
    ReleaseArtist,
    ReleaseFormat,
    ReleaseGenre,
    ReleaseLabel,
    ReleaseStyle,
    Style,
    Track,
)
from shared.protocol import entities as wire

_CHILDREN = (
    ReleaseArtist,
    ReleaseLabel,
    FormatDescription,
    ReleaseFormat,
    ReleaseGenre,
    ReleaseStyle,
    Track,
)


async def load_many(
    session: AsyncSession,
    ids: Iterable[int],
    *,
    with_tracks: bool = True,
    cache: ReleaseCache | None = None,
    viewer: uuid.UUID | None = None,
) -> dict[int, wire.Release]:
    """Releases with their parts (the tracklist only if asked). With a cache, only the
    releases whose version changed are assembled again.

    With a ``viewer``, what that user sees: their own uploaded details, then their own
    uploaded basic information (when it differs from the shared row's), over the shared
    copy. Without one, only the shared catalogue, which holds what the server fetched from
    Discogs itself (or an operator imported), never a user's upload."""
    wanted = sorted(set(ids))
    found = await _load_shared(session, wanted, with_tracks, cache)
    if viewer is None or not wanted:
        return found
    detailed, listings = await basic.overlays(session, viewer, wanted, with_tracks=with_tracks)
    found.update(detailed)
    for release_id, listing in listings.items():
        found[release_id] = basic.with_basic(found.get(release_id), listing)
    return found


async def _load_shared(
    session: AsyncSession, wanted: list[int], with_tracks: bool, cache: ReleaseCache | None
) -> dict[int, wire.Release]:
    if not wanted or cache is None:
        return await assemble(session, wanted, with_tracks)
    versions = dict((await session.execute(_versions(session), {"ids": wanted})).all())
    found: dict[int, wire.Release] = {}
    missing = []
    for release_id, version in versions.items():
        cached = cache.get(release_id, version, with_tracks)
        if cached is None:
            missing.append(release_id)
        else:
            found[release_id] = cached
    if missing:
        assembled = await assemble(session, missing, with_tracks)
        for release_id, release in assembled.items():
            cache.put(release_id, versions[release_id], with_tracks, release)
        found.update(assembled)
    return found


@per_dialect
def _versions(dialect: str) -> Any:
    return select(Release.id, Release.version).where(in_param(dialect, Release.id, "ids"))


async def load(
    session: AsyncSession, release_id: int, *, viewer: uuid.UUID | None = None
) -> wire.Release | None:
    return (await load_many(session, [release_id], viewer=viewer)).get(release_id)


async def has_details(session: AsyncSession, release_id: int) -> bool:
    found = await session.scalar(select(Release.has_details).where(Release.id == release_id))
    return bool(found)


async def share_basic(session: AsyncSession, listings: Sequence[wire.Release]) -> list[int]:
    """Basic information the server fetched from Discogs itself, into the shared rows: a
    new row, or the basic fields of one whose ``basic_hash`` differs (a row with details
    keeps its tracklist). Callers hold the catalogue lock. Returns the ids written."""
    incoming = {r.id: basic.normalised(r) for r in listings}
    if not incoming:
        return []
    ids = sorted(incoming)
    state = {
        rid: (digest, bool(details))
        for rid, digest, details in await session.execute(
            select(Release.id, Release.basic_hash, Release.has_details).where(Release.id.in_(ids))
        )
    }
    changed = [i for i in ids if i not in state or state[i][0] != basic.basic_hash(incoming[i])]
    detailed = [i for i in changed if i in state and state[i][1]]
    current = await assemble(session, detailed, True)
    merged = [basic.with_basic(current[i], incoming[i]) for i in detailed if i in current]
    await save_many(session, merged, details=True)
    plain = [incoming[i] for i in changed if i not in set(detailed)]
    await save_many(session, plain, details=False)
    return changed


async def set_basic_hashes(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """Fill in ``basic_hash`` of the rows among ``ids`` that lack it (written before the
    column existed): hashes of what they hold, so nothing shown changes."""
    wanted = sorted(
        await session.scalars(
            select(Release.id).where(Release.id.in_(sorted(set(ids))), Release.basic_hash.is_(None))
        )
    )
    held = await assemble(session, wanted, False)
    hashes = {rid: basic.basic_hash(release) for rid, release in held.items()}
    for rid, digest in hashes.items():  # unless a concurrent write has set it meanwhile
        await session.execute(
            update(Release)
            .where(Release.id == rid, Release.basic_hash.is_(None))
            .values(basic_hash=digest)
        )
    return hashes


async def basic_hashes(session: AsyncSession, ids: Iterable[int]) -> dict[int, str | None]:
    rows = await session.execute(
        select(Release.id, Release.basic_hash).where(Release.id.in_(sorted(set(ids))))
    )
    return {rid: digest for rid, digest in rows}


async def known_ids(session: AsyncSession, ids: Iterable[int], with_tracklist: bool) -> set[int]:
    query = select(Release.id).where(Release.id.in_(sorted(set(ids))))
    if with_tracklist:
        query = query.where(Release.has_tracklist.is_(True))
    return set(await session.scalars(query))


async def save_many(
    session: AsyncSession, releases: Sequence[wire.Release], *, details: bool | None = None
) -> None:
    """Insert or replace releases with all their parts, in bulk, as shared: only for what the
    server fetched from Discogs itself or an operator imported, never a user's upload.
    ``details``: they are release details (even without a track); by default, those with a
    tracklist are."""
    if not releases:
        return
    releases = sorted({r.id: r for r in releases}.values(), key=lambda r: r.id)
    ids = [r.id for r in releases]
    genre_ids = await _name_ids(session, Genre, {g for r in releases for g in r.genres})
    style_ids = await _name_ids(session, Style, {s for r in releases for s in r.styles})
    await upsert(
        session,
        Artist.__table__,
        sorted(
            {
                a.id: {"id": a.id, "name": a.name} for r in releases for a in r.artists if a.id
            }.values(),
            key=_by_id,
        ),
        keys=["id"],
        update=["name"],
    )
    await upsert(
        session,
        Label.__table__,
        sorted(
            {
                lb.id: {"id": lb.id, "name": lb.name} for r in releases for lb in r.labels if lb.id
            }.values(),
            key=_by_id,
        ),
        keys=["id"],
        update=["name"],
    )
    for child in _CHILDREN:
        await session.execute(delete(child).where(child.release_id.in_(ids)))
    release_rows = [
        {
            "id": r.id,
            "title": r.title,
            "year": r.year or None,
            "thumb_url": r.thumb_url,
            "cover_url": r.cover_url,
            "duration_seconds": r.duration_seconds,
            "duration_estimated": r.duration_estimated,
            "has_tracklist": bool(r.tracks),
            "has_details": bool(r.tracks) if details is None else details,
            "basic_hash": basic.basic_hash(r),
            "fetched_at": r.fetched_at,
            **basic.sort_keys(r),
        }
        for r in releases
    ]
    columns = [k for k in release_rows[0] if k != "id"]
    await session.execute(
        update(CatalogueState)
        .where(CatalogueState.id == 1)
        .values(version=CatalogueState.version + 1)
    )
    await upsert(
        session,
        Release.__table__,
        release_rows,
        keys=["id"],
        update=columns,
        also={"version": Release.__table__.c.version + 1},
    )
    await _insert(
        session,
        ReleaseArtist,
        [
            {
                "release_id": r.id,
                "position": i,
                "artist_id": a.id or None,
                "name": a.name,
                "anv": a.anv,
                "join": a.join,
                "role": a.role,
            }
            for r in releases
            for i, a in enumerate(r.artists)
        ],
    )
    await _insert(
        session,
        ReleaseLabel,
        [
            {
                "release_id": r.id,
                "position": i,
                "label_id": lb.id or None,
                "name": lb.name,
                "catno": lb.catno,
            }
            for r in releases
            for i, lb in enumerate(r.labels)
        ],
    )
    await _insert(
        session,
        ReleaseFormat,
        [
            {"release_id": r.id, "position": i, "name": f.name, "qty": f.qty, "text": f.text}
            for r in releases
            for i, f in enumerate(r.formats)
        ],
    )
    await _insert(
        session,
        FormatDescription,
        [
            {"release_id": r.id, "format_position": i, "idx": j, "description": d}
            for r in releases
            for i, f in enumerate(r.formats)
            for j, d in enumerate(f.descriptions)
        ],
    )
    await _insert(
        session,
        ReleaseGenre,
        [
            {"release_id": r.id, "position": i, "genre_id": genre_ids[g]}
            for r in releases
            for i, g in enumerate(dict.fromkeys(r.genres))
        ],
    )
    await _insert(
        session,
        ReleaseStyle,
        [
            {"release_id": r.id, "position": i, "style_id": style_ids[s]}
            for r in releases
            for i, s in enumerate(dict.fromkeys(r.styles))
        ],
    )
    await _insert(
        session,
        Track,
        [
            {
                "release_id": r.id,
                "position_index": i,
                "position": t.position,
                "title": t.title,
                "duration_text": t.duration_text,
                "seconds": t.seconds,
            }
            for r in releases
            for i, t in enumerate(r.tracks)
        ],
    )


def _by_id(row: dict[str, Any]) -> int:
    return int(row["id"])


async def _insert(
    session: AsyncSession, model: type[object], rows: list[dict[str, object]]
) -> None:
    if rows:
        await session.execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]


async def _name_ids(
    session: AsyncSession, model: type[Genre] | type[Style], names: set[str]
) -> dict[str, int]:
    if not names:
        return {}
    await insert_ignore(session, model.__table__, [{"name": n} for n in sorted(names)])
    rows = await session.execute(select(model.id, model.name).where(model.name.in_(names)))
    return {name: id_ for id_, name in rows}
