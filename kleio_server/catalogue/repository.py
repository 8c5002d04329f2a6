"""The shared release catalogue: queries only (callers own the transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import submissions
from kleio_server.catalogue.assemble import assemble
from kleio_server.catalogue.cache import ReleaseCache
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
    StylusTemplate,
    Track,
)
from shared.domain.sorting import primary_artist
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
    releases whose version changed are assembled again. With a ``viewer``, that user's own
    uploaded details stand in for shared releases that have no tracklist yet."""
    wanted = sorted(set(ids))
    found = await _load_shared(session, wanted, with_tracks, cache)
    if viewer is not None:
        found.update(await submissions.overlay(session, viewer, wanted, with_tracks=with_tracks))
    return found


async def _load_shared(
    session: AsyncSession, wanted: list[int], with_tracks: bool, cache: ReleaseCache | None
) -> dict[int, wire.Release]:
    if not wanted or cache is None:
        return await assemble(session, wanted, with_tracks)
    versions = dict(
        (
            await session.execute(select(Release.id, Release.version).where(Release.id.in_(wanted)))
        ).all()
    )
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


async def load(
    session: AsyncSession, release_id: int, *, viewer: uuid.UUID | None = None
) -> wire.Release | None:
    return (await load_many(session, [release_id], viewer=viewer)).get(release_id)


async def has_tracklist(session: AsyncSession, release_id: int) -> bool:
    found = await session.scalar(select(Release.has_tracklist).where(Release.id == release_id))
    return bool(found)


def _basic_fields(release: wire.Release) -> dict[str, object]:
    return release.model_dump(mode="json", exclude={"fetched_at", "tracks"})


async def save_basic_many(session: AsyncSession, releases: Sequence[wire.Release]) -> int:
    """Basic information (a collection listing's, no tracklist): inserted when new, written
    again only when it changed, never over a release that has a tracklist. The rows are
    locked in id order on PostgreSQL, so concurrent writers queue instead of deadlocking.
    Returns how many releases were written."""
    incoming = {r.id: r for r in releases}
    if not incoming:
        return 0
    ids = sorted(incoming)
    query = select(Release.id, Release.has_tracklist).where(Release.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        query = query.order_by(Release.id).with_for_update()
    state: dict[int, bool] = {rid: bool(flag) for rid, flag in await session.execute(query)}
    current = await assemble(session, [i for i in ids if i in state and not state[i]], False)
    changed = [
        incoming[i].model_copy(update={"tracks": []})
        for i in ids
        if not state.get(i)
        and (i not in current or _basic_fields(current[i]) != _basic_fields(incoming[i]))
    ]
    await save_many(session, changed)
    return len(changed)


async def known_ids(session: AsyncSession, ids: Iterable[int], with_tracklist: bool) -> set[int]:
    query = select(Release.id).where(Release.id.in_(sorted(set(ids))))
    if with_tracklist:
        query = query.where(Release.has_tracklist.is_(True))
    return set(await session.scalars(query))


async def save_many(session: AsyncSession, releases: Sequence[wire.Release]) -> None:
    """Insert or replace releases with all their parts, in bulk."""
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
            "fetched_at": r.fetched_at,
            "sort_title": r.title.casefold(),
            "sort_artist": primary_artist(r.artists).casefold(),
            "sort_genre": (r.genres[0] if r.genres else "").casefold(),
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


async def stylus_templates(session: AsyncSession) -> Sequence[StylusTemplate]:
    return (
        await session.scalars(
            select(StylusTemplate).order_by(StylusTemplate.manufacturer, StylusTemplate.model)
        )
    ).all()
