"""The shared release catalogue: queries only (callers own the transaction)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.base import ExecutableOption

from kleio_server.kit.upsert import insert_ignore, upsert
from kleio_server.models import (
    Artist,
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


def _with_details() -> list[ExecutableOption]:
    return [
        selectinload(Release.artists),
        selectinload(Release.labels),
        selectinload(Release.formats).selectinload(ReleaseFormat.descriptions),
        selectinload(Release.genres).selectinload(ReleaseGenre.genre),
        selectinload(Release.styles).selectinload(ReleaseStyle.style),
        selectinload(Release.tracks),
    ]


async def load_many(session: AsyncSession, ids: Iterable[int]) -> dict[int, wire.Release]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Release).where(Release.id.in_(wanted)).options(*_with_details())
    )
    return {row.id: to_wire(row) for row in rows}


async def load(session: AsyncSession, release_id: int) -> wire.Release | None:
    return (await load_many(session, [release_id])).get(release_id)


async def known_ids(session: AsyncSession, ids: Iterable[int], with_tracklist: bool) -> set[int]:
    query = select(Release.id).where(Release.id.in_(sorted(set(ids))))
    if with_tracklist:
        query = query.where(Release.has_tracklist.is_(True))
    return set(await session.scalars(query))


def to_wire(row: Release) -> wire.Release:
    return wire.Release(
        id=row.id,
        title=row.title,
        year=row.year,
        thumb_url=row.thumb_url,
        cover_url=row.cover_url,
        artists=[
            wire.ReleaseArtist(id=a.artist_id, name=a.name, anv=a.anv, join=a.join, role=a.role)
            for a in row.artists
        ],
        labels=[
            wire.ReleaseLabel(id=lb.label_id, name=lb.name, catno=lb.catno) for lb in row.labels
        ],
        formats=[
            wire.ReleaseFormat(
                name=f.name,
                qty=f.qty,
                text=f.text,
                descriptions=[d.description for d in f.descriptions],
            )
            for f in row.formats
        ],
        genres=[g.genre.name for g in row.genres],
        styles=[s.style.name for s in row.styles],
        tracks=[
            wire.Track(
                position=t.position, title=t.title, duration_text=t.duration_text, seconds=t.seconds
            )
            for t in row.tracks
        ],
        duration_seconds=row.duration_seconds,
        duration_estimated=row.duration_estimated,
        fetched_at=row.fetched_at,
    )


async def save_many(session: AsyncSession, releases: Sequence[wire.Release]) -> None:
    """Insert or replace releases with all their parts, in bulk."""
    if not releases:
        return
    ids = [r.id for r in releases]
    genre_ids = await _name_ids(session, Genre, {g for r in releases for g in r.genres})
    style_ids = await _name_ids(session, Style, {s for r in releases for s in r.styles})
    await upsert(
        session,
        Artist.__table__,
        list(
            {
                a.id: {"id": a.id, "name": a.name} for r in releases for a in r.artists if a.id
            }.values()
        ),
        keys=["id"],
        update=["name"],
    )
    await upsert(
        session,
        Label.__table__,
        list(
            {
                lb.id: {"id": lb.id, "name": lb.name} for r in releases for lb in r.labels if lb.id
            }.values()
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
            "sort_artist": primary_artist(r.artists).casefold(),
            "sort_genre": (r.genres[0] if r.genres else "").casefold(),
        }
        for r in releases
    ]
    columns = [k for k in release_rows[0] if k != "id"]
    await upsert(session, Release.__table__, release_rows, keys=["id"], update=columns)
    await _insert(
        session,
        ReleaseArtist,
        [
            {
                "release_id": r.id,
                "position": i,
                "artist_id": a.id,
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
                "label_id": lb.id,
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
