from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from kleio_server.catalogue import repository as catalogue
from kleio_server.collection import repository, service
from kleio_server.collection.schemas import (
    ArchiveRequest,
    CollectionItemOut,
    FolderOut,
    RecordDetail,
)
from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.kit.errors import NotFound
from kleio_server.kit.fastjson import json_response
from kleio_server.kit.pagination import CursorParam, LimitParam, Page
from shared.domain.sorting import SortKey
from shared.protocol import entities as wire

router = APIRouter(tags=["collection"])
DiscogsPathId = Annotated[int, Path(ge=1, le=2**53)]


@router.get("/collection", response_model=Page[CollectionItemOut])
async def list_collection(
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
    archived: bool = False,
    folder_id: Annotated[int | None, Query(ge=0, le=2**53, description="0 = All")] = None,
    genre: Annotated[list[str], Query(max_length=50, description="any of these genres")] = [],  # noqa: B006
    q: Annotated[str | None, Query(max_length=200, description="fuzzy search")] = None,
    sort: SortKey | None = None,
    descending: bool | None = None,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
) -> Response:
    """Active records by default (``archived=true`` for the archived list), filtered and sorted.

    With ``q`` and no ``sort`` the best matches come first; the default sort is by artist."""
    page = await service.list_collection(
        session,
        user.id,
        kleio.now(),
        archived=archived,
        folder_id=folder_id,
        genres=genre,
        query=q,
        sort=sort,
        descending=descending,
        limit=limit,
        cursor=cursor,
        cache=kleio.release_cache,
        views=kleio.collection_views,
    )
    return json_response(page)


@router.get("/collection/{instance_id}", response_model=RecordDetail)
async def record_detail(
    instance_id: DiscogsPathId,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
) -> RecordDetail:
    """A record with its release, statuses and merged history (newest first)."""
    return await service.record_detail(session, user.id, instance_id, kleio.now())


@router.post("/collection/{instance_id}/archive", status_code=204)
async def archive(
    instance_id: DiscogsPathId,
    body: ArchiveRequest,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
) -> Response:
    await service.archive(kleio.applier, session, user.id, instance_id, body.reason, kleio.now())
    return Response(status_code=204)


@router.post("/collection/{instance_id}/restore", status_code=204)
async def restore(
    instance_id: DiscogsPathId,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
) -> Response:
    await service.restore(kleio.applier, session, user.id, instance_id)
    return Response(status_code=204)


@router.get("/folders", response_model=list[FolderOut])
async def folders(user: CurrentUser, session: SessionDep) -> list[FolderOut]:
    return [
        FolderOut(id=f.id, name=f.name, count=f.count)
        for f in await repository.folders(session, user.id)
    ]


@router.get("/genres", response_model=list[str])
async def genres(user: CurrentUser, session: SessionDep) -> list[str]:
    """The genres present in the caller's collection (for the genre filter)."""
    return await repository.genres_in_collection(session, user.id)


@router.get("/releases/{release_id}", response_model=wire.Release)
async def release(
    release_id: DiscogsPathId, user: CurrentUser, session: SessionDep
) -> wire.Release:
    """A release of the caller's collection, from the shared catalogue."""
    found = await repository.has_release(session, user.id, release_id)
    loaded = await catalogue.load(session, release_id, viewer=user.id) if found else None
    if loaded is None:
        raise NotFound(f"no release {release_id}")
    return loaded


@router.get("/releases/{release_id}/record", response_model=RecordDetail)
async def record_of_release(
    release_id: DiscogsPathId, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> RecordDetail:
    """The caller's copy of a release (an active one first), as ``/collection/{instance_id}``:
    where a history entry, which names a release, links to."""
    instance_id = await repository.instance_of_release(session, user.id, release_id)
    if instance_id is None:
        raise NotFound(f"no copy of release {release_id} in your collection")
    return await service.record_detail(session, user.id, instance_id, kleio.now())
