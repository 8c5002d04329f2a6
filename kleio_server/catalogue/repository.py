"""The shared release catalogue: queries only (callers own the transaction)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
) -> dict[int, wire.Release]:
    """Releases with their parts (the tracklist only if asked). With a cache, only the
    releases whose version changed are assembled again."""
    wanted = sorted(set(ids))
    if not wanted or cache is None:
        return await _assemble(session, wanted, with_tracks)
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
        assembled = await _assemble(session, missing, with_tracks)
        for release_id, release in assembled.items():
            cache.put(release_id, versions[release_id], with_tracks, release)
        found.update(assembled)
    return found


async def _assemble(
    session: AsyncSession, wanted: list[int], with_tracks: bool
) -> dict[int, wire.Release]:
    """One query per part and no ORM objects: this is on the hot path of every page."""
    if not wanted:
        return {}
    artists: dict[int, list[wire.ReleaseArtist]] = defaultdict(list)
    labels: dict[int, list[wire.ReleaseLabel]] = defaultdict(list)
    formats: dict[int, list[wire.ReleaseFormat]] = defaultdict(list)
    descriptions: dict[tuple[int, int], list[str]] = defaultdict(list)
    genres: dict[int, list[str]] = defaultdict(list)
    styles: dict[int, list[str]] = defaultdict(list)
    tracks: dict[int, list[wire.Track]] = defaultdict(list)
    a, lb, f, d, t = ReleaseArtist, ReleaseLabel, ReleaseFormat, FormatDescription, Track
    for rid, aid, name, anv, join, role in await session.execute(
        select(a.release_id, a.artist_id, a.name, a.anv, a.join, a.role)
        .where(a.release_id.in_(wanted))
        .order_by(a.release_id, a.position)
    ):
        artists[rid].append(
            wire.ReleaseArtist.model_construct(id=aid, name=name, anv=anv, join=join, role=role)
        )
    for rid, lid, name, catno in await session.execute(
        select(lb.release_id, lb.label_id, lb.name, lb.catno)
        .where(lb.release_id.in_(wanted))
        .order_by(lb.release_id, lb.position)
    ):
        labels[rid].append(wire.ReleaseLabel.model_construct(id=lid, name=name, catno=catno))
    for rid, position, text in await session.execute(
        select(d.release_id, d.format_position, d.description)
        .where(d.release_id.in_(wanted))
        .order_by(d.release_id, d.format_position, d.idx)
    ):
        descriptions[(rid, position)].append(text)
    for rid, position, name, qty, text in await session.execute(
        select(f.release_id, f.position, f.name, f.qty, f.text)
        .where(f.release_id.in_(wanted))
        .order_by(f.release_id, f.position)
    ):
        formats[rid].append(
            wire.ReleaseFormat.model_construct(
                name=name, qty=qty, text=text, descriptions=descriptions[(rid, position)]
            )
        )
    for rid, name in await session.execute(
        select(ReleaseGenre.release_id, Genre.name)
        .join(Genre, Genre.id == ReleaseGenre.genre_id)
        .where(ReleaseGenre.release_id.in_(wanted))
        .order_by(ReleaseGenre.release_id, ReleaseGenre.position)
    ):
        genres[rid].append(name)
    for rid, name in await session.execute(
        select(ReleaseStyle.release_id, Style.name)
        .join(Style, Style.id == ReleaseStyle.style_id)
        .where(ReleaseStyle.release_id.in_(wanted))
        .order_by(ReleaseStyle.release_id, ReleaseStyle.position)
    ):
        styles[rid].append(name)
    track_rows = (
        await session.execute(
            select(t.release_id, t.position, t.title, t.duration_text, t.seconds)
            .where(t.release_id.in_(wanted))
            .order_by(t.release_id, t.position_index)
        )
        if with_tracks
        else ()
    )
    for rid, track_position, title, text, seconds in track_rows:
        tracks[rid].append(
            wire.Track.model_construct(
                position=track_position, title=title, duration_text=text, seconds=seconds
            )
        )
    r = Release
    out: dict[int, wire.Release] = {}
    for row in await session.execute(
        select(
            r.id,
            r.title,
            r.year,
            r.thumb_url,
            r.cover_url,
            r.duration_seconds,
            r.duration_estimated,
            r.fetched_at,
        ).where(r.id.in_(wanted))
    ):
        rid = row.id
        out[rid] = wire.Release.model_construct(
            id=rid,
            title=row.title,
            year=row.year,
            thumb_url=row.thumb_url,
            cover_url=row.cover_url,
            artists=artists[rid],
            labels=labels[rid],
            formats=formats[rid],
            genres=genres[rid],
            styles=styles[rid],
            tracks=tracks[rid],
            duration_seconds=row.duration_seconds,
            duration_estimated=row.duration_estimated,
            fetched_at=row.fetched_at,
        )
    return out


async def load(session: AsyncSession, release_id: int) -> wire.Release | None:
    return (await load_many(session, [release_id])).get(release_id)


async def known_ids(session: AsyncSession, ids: Iterable[int], with_tracklist: bool) -> set[int]:
    query = select(Release.id).where(Release.id.in_(sorted(set(ids))))
    if with_tracklist:
        query = query.where(Release.has_tracklist.is_(True))
    return set(await session.scalars(query))


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
