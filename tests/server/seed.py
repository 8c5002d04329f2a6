"""Put records into a user's collection through the real service paths (catalogue + applier)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Protocol

from kleio_server.accounts.service import ensure_user
from kleio_server.auth.principal import Principal
from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.sync.writes import write
from shared.protocol import entities as wire


def release(
    release_id: int,
    title: str = "Kind of Blue",
    artist: str = "Miles Davis",
    genres: Sequence[str] = ("Jazz",),
    year: int | None = 1959,
    tracks: Sequence[tuple[str, int]] = (("A1", 545), ("A2", 566), ("B1", 337)),
    label: str = "Columbia",
) -> wire.Release:
    return wire.Release(
        id=release_id,
        title=title,
        year=year,
        artists=[wire.ReleaseArtist(id=release_id % 1_000_000 + 1, name=artist)],
        labels=[wire.ReleaseLabel(id=release_id % 1_000_000 + 2, name=label, catno="CL 1355")],
        formats=[wire.ReleaseFormat(name="Vinyl", qty=1, descriptions=["LP", "Album"])],
        genres=list(genres),
        styles=["Modal"],
        tracks=[
            wire.Track(position=p, title=f"Track {p}", duration_text="", seconds=s)
            for p, s in tracks
        ],
        duration_seconds=sum(s for _, s in tracks) if tracks else 2640,
        duration_estimated=not tracks,
        fetched_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


class HasSubject(Protocol):
    @property
    def subject(self) -> str: ...


async def user_id_of(kleio: Kleio, user: HasSubject) -> uuid.UUID:
    principal = Principal(
        issuer=kleio.settings.oidc_issuer or "",
        subject=user.subject,
        roles=frozenset(),
        expires_at=None,
    )
    return (await ensure_user(kleio.sessions, principal)).id


async def add_records(
    kleio: Kleio,
    user: HasSubject,
    releases: Sequence[wire.Release],
    *,
    folder_id: int = 1,
    added_at: dt.datetime | None = None,
) -> list[int]:
    """Save the releases to the shared catalogue and one collection item each for ``user``;
    returns the instance ids (release id + 7)."""
    user_id = await user_id_of(kleio, user)
    instances = []
    async with kleio.sessions() as session:
        await catalogue.save_many(session, releases)
        for index, rel in enumerate(releases):
            instance_id = rel.id + 7
            fields = {
                "release_id": rel.id,
                "folder_id": folder_id,
                "rating": 0,
                "added_at": (
                    added_at or dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=index)
                ).isoformat(),
            }
            await write(kleio.applier, session, user_id, "collection_item", instance_id, fields)
            instances.append(instance_id)
        await session.commit()
    return instances
