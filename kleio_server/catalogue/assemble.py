"""Assemble shared releases from their tables: one query per part, no ORM objects."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.sql import one_of
from kleio_server.models import (
    FormatDescription,
    Genre,
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


async def assemble(
    session: AsyncSession, wanted: list[int], with_tracks: bool
) -> dict[int, wire.Release]:
    """One query per part and no ORM objects: this is on the hot path of every page."""
    if not wanted:
        return {}
    connection = await session.connection()  # Core rows: no ORM result processing
    artists: dict[int, list[wire.ReleaseArtist]] = defaultdict(list)
    labels: dict[int, list[wire.ReleaseLabel]] = defaultdict(list)
    formats: dict[int, list[wire.ReleaseFormat]] = defaultdict(list)
    descriptions: dict[tuple[int, int], list[str]] = defaultdict(list)
    genres: dict[int, list[str]] = defaultdict(list)
    styles: dict[int, list[str]] = defaultdict(list)
    tracks: dict[int, list[wire.Track]] = defaultdict(list)
    a, lb, f, d, t = ReleaseArtist, ReleaseLabel, ReleaseFormat, FormatDescription, Track
    for rid, aid, name, anv, join, role in await connection.execute(
        select(a.release_id, a.artist_id, a.name, a.anv, a.join, a.role)
        .where(one_of(session, a.release_id, wanted))
        .order_by(a.release_id, a.position)
    ):
        artists[rid].append(
            wire.ReleaseArtist.model_construct(id=aid, name=name, anv=anv, join=join, role=role)
        )
    for rid, lid, name, catno in await connection.execute(
        select(lb.release_id, lb.label_id, lb.name, lb.catno)
        .where(one_of(session, lb.release_id, wanted))
        .order_by(lb.release_id, lb.position)
    ):
        labels[rid].append(wire.ReleaseLabel.model_construct(id=lid, name=name, catno=catno))
    for rid, position, text in await connection.execute(
        select(d.release_id, d.format_position, d.description)
        .where(one_of(session, d.release_id, wanted))
        .order_by(d.release_id, d.format_position, d.idx)
    ):
        descriptions[(rid, position)].append(text)
    for rid, position, name, qty, text in await connection.execute(
        select(f.release_id, f.position, f.name, f.qty, f.text)
        .where(one_of(session, f.release_id, wanted))
        .order_by(f.release_id, f.position)
    ):
        formats[rid].append(
            wire.ReleaseFormat.model_construct(
                name=name, qty=qty, text=text, descriptions=descriptions[(rid, position)]
            )
        )
    for rid, name in await connection.execute(
        select(ReleaseGenre.release_id, Genre.name)
        .join(Genre, Genre.id == ReleaseGenre.genre_id)
        .where(one_of(session, ReleaseGenre.release_id, wanted))
        .order_by(ReleaseGenre.release_id, ReleaseGenre.position)
    ):
        genres[rid].append(name)
    for rid, name in await connection.execute(
        select(ReleaseStyle.release_id, Style.name)
        .join(Style, Style.id == ReleaseStyle.style_id)
        .where(one_of(session, ReleaseStyle.release_id, wanted))
        .order_by(ReleaseStyle.release_id, ReleaseStyle.position)
    ):
        styles[rid].append(name)
    track_rows = (
        await connection.execute(
            select(t.release_id, t.position, t.title, t.duration_text, t.seconds)
            .where(one_of(session, t.release_id, wanted))
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
    for row in await connection.execute(
        select(
            r.id,
            r.title,
            r.year,
            r.thumb_url,
            r.cover_url,
            r.duration_seconds,
            r.duration_estimated,
            r.fetched_at,
        ).where(one_of(session, r.id, wanted))
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
