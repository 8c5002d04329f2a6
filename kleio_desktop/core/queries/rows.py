"""Rows as the shared rules take them (``shared.domain.listening``), read from the local
store. The store holds one user's data, so nothing here is scoped by user."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import sqlite3
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from pydantic import TypeAdapter
from sqlalchemy import Select, Text, func, select, text, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.changes import NO_CHANGES, Changes
from kleio_desktop.core.quickread import LISTING
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import CleaningRow as StoredCleaning
from kleio_desktop.core.store.models import CollectionItemRow, ReleaseRow, StylusRow
from kleio_desktop.core.store.models import PlayRow as StoredPlay
from kleio_desktop.core.store.paths import database_path
from shared.domain.listening import CleaningRow, PlayRow
from shared.domain.sorting import primary_artist
from shared.domain.suggestions import ActiveItem
from shared.protocol import entities as wire


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


async def play_rows(
    session: AsyncSession,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    release_id: int | None = None,
) -> list[PlayRow]:
    """Live plays in [since, until), oldest first."""
    query = select(
        StoredPlay.id,
        StoredPlay.release_id,
        StoredPlay.played_at,
        StoredPlay.stylus_id,
        StoredPlay.notes,
        StoredPlay.sides,
    ).where(StoredPlay.deleted.is_(False))
    if since is not None:
        query = query.where(StoredPlay.played_at >= since)
    if until is not None:
        query = query.where(StoredPlay.played_at < until)
    if release_id is not None:
        query = query.where(StoredPlay.release_id == release_id)
    rows = await session.execute(query.order_by(StoredPlay.played_at, StoredPlay.id))
    return [
        PlayRow(id_, release, _aware(played_at), stylus_id, notes, sides)
        for id_, release, played_at, stylus_id, notes, sides in rows
    ]


async def cleaning_rows(
    session: AsyncSession, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[CleaningRow]:
    """Live cleanings in [since, until), oldest first."""
    query = select(
        StoredCleaning.id,
        StoredCleaning.release_id,
        StoredCleaning.cleaned_at,
        StoredCleaning.notes,
        StoredCleaning.deep,
    ).where(StoredCleaning.deleted.is_(False))
    if since is not None:
        query = query.where(StoredCleaning.cleaned_at >= since)
    if until is not None:
        query = query.where(StoredCleaning.cleaned_at < until)
    rows = await session.execute(query.order_by(StoredCleaning.cleaned_at, StoredCleaning.id))
    return [
        CleaningRow(id_, release, _aware(cleaned_at), notes, deep)
        for id_, release, cleaned_at, notes, deep in rows
    ]


async def play_times(session: AsyncSession) -> dict[int, list[dt.datetime]]:
    """When each release was played (live plays): the one column a status needs, which is
    much cheaper than whole rows."""
    return await _times(session, select(StoredPlay.release_id, StoredPlay.played_at), StoredPlay)


async def cleaning_times(session: AsyncSession) -> dict[int, list[dt.datetime]]:
    """When each release was cleaned (live cleanings)."""
    query = select(StoredCleaning.release_id, StoredCleaning.cleaned_at)
    return await _times(session, query, StoredCleaning)


async def _times(
    session: AsyncSession,
    query: Select[int, dt.datetime],
    kind: type[StoredPlay] | type[StoredCleaning],
) -> dict[int, list[dt.datetime]]:
    times: dict[int, list[dt.datetime]] = {}
    for release_id, instant in await session.execute(query.where(kind.deleted.is_(False))):
        times.setdefault(release_id, []).append(_aware(instant))
    return times


async def earliest_play(session: AsyncSession) -> dt.datetime | None:
    value: dt.datetime | None = await session.scalar(
        select(func.min(StoredPlay.played_at)).where(StoredPlay.deleted.is_(False))
    )
    return None if value is None else _aware(value)


async def stylus_names(session: AsyncSession) -> dict[uuid.UUID, str]:
    """Every stylus's name, deleted ones included (as the server's history names them)."""
    rows = await session.execute(select(StylusRow.id, StylusRow.name))
    return {stylus_id: name for stylus_id, name in rows}


async def releases(session: AsyncSession, ids: Iterable[int]) -> dict[int, wire.Release]:
    """The stored releases with these ids as lists hold them: without their tracks (``tracks``
    empty, see ``_TRACKLESS``), the very objects of the listing (decoded once per distinct
    text, see ``decoded``). What a play lasted needs the tracks: ``with_tracks``."""
    trackless = func.json_remove(ReleaseRow.document, "$.tracks", type_=Text)
    return {
        release_id: release_from_document(document)
        async for release_id, document in _by_id(session, trackless, ids)
    }


async def releases_with_tracks(
    session: AsyncSession, ids: Iterable[int]
) -> dict[int, wire.Release]:
    """The stored releases with these ids, tracks included: decoded afresh, kept nowhere
    (the record dialog's one; a from-scratch reading)."""
    whole = type_coerce(ReleaseRow.document, Text)
    return {
        release_id: wire.Release.model_validate_json(document)
        async for release_id, document in _by_id(session, whole, ids)
    }


async def with_tracks(
    session: AsyncSession, releases: Mapping[int, wire.Release], ids: Iterable[int]
) -> dict[int, wire.Release]:
    """Those of ``releases`` (as ``releases`` reads them, without tracks) whose id is in
    ``ids``, each a new object with its stored tracks: what ``play_minutes_of`` needs of a
    play with sides. The objects of ``releases`` are left as they are (shared, trackless)."""
    tracks = _tracks_adapter()
    column = func.json_extract(ReleaseRow.document, "$.tracks", type_=Text)
    return {
        release_id: releases[release_id].model_copy(
            update={"tracks": [] if stored is None else tracks.validate_json(stored)}
        )
        async for release_id, stored in _by_id(session, column, set(ids).intersection(releases))
    }


async def _by_id(
    session: AsyncSession, column: Any, ids: Iterable[int]
) -> AsyncIterator[tuple[int, Any]]:
    """(release id, ``column``) of the stored releases with these ids, in chunks of ids."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _IN_CHUNK):
        query = select(ReleaseRow.id, column).where(
            ReleaseRow.id.in_(wanted[start : start + _IN_CHUNK])
        )
        for release_id, value in await session.execute(query):
            yield release_id, value


@functools.cache
def _tracks_adapter() -> TypeAdapter[list[wire.Track]]:
    return TypeAdapter(list[wire.Track])


_TRACKLESS = "json_remove(r.document, '$.tracks')"
"""A stored release's JSON text without its tracks, as ``listing_rows`` and ``releases``
read it (the same text, so the same decoded object): a list's release. Tracks were half
of a 10,000-record listing's memory (38 of 78 MB), and only a tooltip, a panel or the
record dialog shows them, one record at a time."""


_IN_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class Listened:
    """A live play as analytics reads it (``shared.domain.listening.Listen``)."""

    release_id: int
    played_at: dt.datetime
    sides: tuple[str, ...] | None
    key: str = ""
    """The play's id as stored (hex), to patch a kept period with (``cached_listens``)."""


_SIDES: dict[str, tuple[str, ...] | None] = {}


def _sides(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    sides = _SIDES.get(text)
    if sides is None and text not in _SIDES:
        if len(_SIDES) > 10_000:
            _SIDES.clear()
        decoded = json.loads(text)
        sides = _SIDES[text] = None if decoded is None else tuple(decoded)
    return sides


def sides_list(text: str | None) -> list[str] | None:
    """A play's stored sides (JSON text) as a new list."""
    sides = _sides(text)
    return None if sides is None else list(sides)


async def listens(
    session: AsyncSession,
    since: dt.datetime,
    until: dt.datetime,
    release_id: int | None = None,
) -> list[Listened]:
    """Live plays in [since, until), oldest first: the three columns analytics needs, read
    from the index over live plays alone."""
    query = (
        "SELECT release_id, played_at, sides, id FROM plays"
        " WHERE deleted = 0 AND played_at >= :since AND played_at < :until"
    )
    params: dict[str, object] = {"since": _stored(since), "until": _stored(until)}
    if release_id is not None:
        query += " AND release_id = :release_id"
        params["release_id"] = release_id
    result = await session.execute(text(query + " ORDER BY played_at"), params)
    parse = dt.datetime.fromisoformat
    return [
        Listened(release, parse(played_at).replace(tzinfo=dt.UTC), _sides(sides), key)
        for release, played_at, sides, key in result
    ]


def _stored(instant: dt.datetime) -> str:
    """An instant as the store writes it (naive UTC, fixed width), for comparing in SQL."""
    return instant.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


async def active_items(session: AsyncSession) -> list[ActiveItem]:
    """Active collection items (neither archived nor deleted) with their release's live
    plays, by instance id."""
    stats = (
        select(
            StoredPlay.release_id,
            func.count().label("plays"),
            func.max(StoredPlay.played_at).label("last_played_at"),
        )
        .where(StoredPlay.deleted.is_(False))
        .group_by(StoredPlay.release_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            CollectionItemRow.instance_id,
            CollectionItemRow.release_id,
            CollectionItemRow.folder_id,
            stats.c.plays,
            stats.c.last_played_at,
        )
        .outerjoin(stats, stats.c.release_id == CollectionItemRow.release_id)
        .where(CollectionItemRow.deleted.is_(False), CollectionItemRow.archived_at.is_(None))
        .order_by(CollectionItemRow.instance_id)
    )
    return [
        ActiveItem(
            instance_id,
            release_id,
            folder_id,
            int(plays or 0),
            None if last_played_at is None else _aware(_parse(last_played_at)),
        )
        for instance_id, release_id, folder_id, plays, last_played_at in rows
    ]


def _parse(value: dt.datetime | str) -> dt.datetime:
    """SQLite's ``max()`` skips the column type and may hand back the stored text."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


# ---- the collection list's rows, aggregated by SQLite -----------------------------------


@dataclass(frozen=True, slots=True)
class Decoded:
    release: wire.Release
    artist: str
    """The primary artist (``shared.domain.sorting.primary_artist``)."""


T = TypeVar("T")
_DECODED: dict[str, Decoded] = {}
_DECODED_MAX = 100_000


def decoded(document: str) -> Decoded:
    """The release stored as ``document`` (the row's JSON text), validated once per distinct
    text: a list of thousands of records would otherwise validate every release on every
    call. Keyed by the text itself, so a release rewritten in any way is validated afresh
    and nothing needs invalidating. The objects are shared by every caller: read-only."""
    found = _DECODED.get(document)
    if found is None:
        if len(_DECODED) >= _DECODED_MAX:
            _DECODED.clear()
        release = wire.Release.model_validate_json(document)
        found = _DECODED[document] = Decoded(release, primary_artist(release.artists))
    return found


def release_from_document(document: str) -> wire.Release:
    return decoded(document).release


@dataclass(frozen=True, slots=True)
class ListingRow:
    """One live collection item, its release's stored JSON without the tracks (``_TRACKLESS``)
    and its play/cleaning counts."""

    item: wire.CollectionItem
    document: str | None
    plays: int
    plays_since_cleaning: int
    last_played_at: dt.datetime | None
    last_cleaned_at: dt.datetime | None


_LISTING = LISTING  # plays after the last cleaning counted by SQLite: see its text


_ITEMS: dict[tuple[Any, ...], wire.CollectionItem] = {}


def _item(values: tuple[Any, ...]) -> wire.CollectionItem:
    """The item of these stored values, built once per distinct values (like releases, see
    ``release_from_document``): the store validated them when they were written."""
    if len(_ITEMS) >= _DECODED_MAX:
        _ITEMS.clear()
    instance, release_id, folder, rating, added_at, media, sleeve, notes, archived_at, reason = (
        values
    )
    item = _ITEMS[values] = wire.CollectionItem.model_construct(
        instance_id=instance,
        release_id=release_id,
        folder_id=folder,
        rating=rating,
        added_at=_instant(added_at),
        media_condition=media,
        sleeve_condition=sleeve,
        notes=notes,
        archived_at=_instant(archived_at),
        archive_reason=reason,
    )
    return item


def _instant(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


async def listing_rows(
    session: AsyncSession,
    *,
    folder_id: int | None = None,
    archived: bool | None = False,
    instance_id: int | None = None,
    touching: tuple[Iterable[int], Iterable[int]] | None = None,
) -> list[ListingRow]:
    """Live items by instance id, ``folder_id`` 0 or None every folder, ``archived`` None
    both states: one query, reading only the columns a list shows. ``touching`` (instance
    ids, release ids): only the items with one of these instance or release ids."""
    items_where, plays_where, params = "", "", {}
    if touching is not None:  # integers, written into the text
        instances = ",".join(str(int(n)) for n in touching[0]) or "NULL"
        releases = ",".join(str(int(n)) for n in touching[1]) or "NULL"
        items_where += f" AND (i.instance_id IN ({instances}) OR i.release_id IN ({releases}))"
        within = f"SELECT release_id FROM collection_items WHERE instance_id IN ({instances})"  # noqa: S608 (integers)
        plays_where = f" AND (release_id IN ({releases}) OR release_id IN ({within}))"
    if folder_id:
        items_where += " AND i.folder_id = :folder_id"
        params["folder_id"] = folder_id
    if archived is not None:
        items_where += f" AND i.archived_at IS {'NOT ' if archived else ''}NULL"
    if instance_id is not None:
        items_where += " AND i.instance_id = :instance_id"
        plays_where = (
            " AND release_id = (SELECT release_id FROM collection_items"
            " WHERE instance_id = :instance_id)"
        )
        params["instance_id"] = instance_id
    query = _LISTING.format(items_where=items_where, plays_where=plays_where, release=_TRACKLESS)
    result = await session.execute(text(query), params)
    listed = []
    for values in result:
        item_values = tuple(values[:10])
        item = _ITEMS.get(item_values)
        if item is None:
            item = _item(item_values)
        document, plays, since, last_played, last_cleaned = values[10:]
        listed.append(
            ListingRow(
                item,
                document,
                plays or 0,
                since or 0,
                _instant(last_played),
                _instant(last_cleaned),
            )
        )
    return listed


# ---- the whole listing, kept until the next commit --------------------------------------

_PATCH_MAX = 500
"""Changed rows beyond which the kept views are read afresh rather than patched."""


class _Watched:
    """One store's kept views, with the commit counter they are current at.

    A commit of this process's ``Store.write`` comes with its ``Changes``: when nothing else
    committed since the views were read (the counter read under the write lock is still
    theirs), the next call patches them, reading again only the rows those ids touch. Any
    other commit (another process, another connection) moves the counter unannounced and
    the views are read afresh.

    Known gap: another process committing in the instant between this process's commit and
    the counter read right after it (one event-loop step) goes unnoticed until the views are
    read afresh (its changes are missed until then)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None
        self.version: int | None = None
        self.listing: list[ListingRow] | None = None
        self.listens: dict[tuple[dt.datetime, dt.datetime, int | None], list[Listened]] = {}
        self.releases: dict[int, wire.Release] = {}
        self.derived: dict[tuple[object, ...], tuple[object, Patcher[Any] | None]] = {}
        self.owners: dict[str, int] = {}
        """Each live play's and cleaning's release (by stored id), read with the listing: an
        edit may move one to another release, whose row changes too."""
        self.pending: Changes | None = NO_CHANGES
        """This process's commits since ``version`` (None: one we cannot account for)."""
        self.tip: int | None = None
        """The counter after the commits in ``pending``."""
        self.lock = asyncio.Lock()
        self.read_afresh = 0
        """How many times the views were forgotten for a commit they could not be patched with."""

    def forget(self) -> None:
        self.listing, self.listens, self.releases, self.derived = None, {}, {}, {}
        self.owners = {}
        self.pending, self.tip = NO_CHANGES, None

    def data_version(self) -> int | None:
        """SQLite's ``PRAGMA data_version`` on a connection of our own that never writes: it
        changes with every commit by any other connection, this process's or another's
        (``kleio play`` while the app runs). None when it cannot be read (read afresh)."""
        try:
            if self.connection is None:
                self.connection = sqlite3.connect(
                    self.path, timeout=0, isolation_level=None, check_same_thread=False
                )
            (version,) = self.connection.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            return None
        return int(version)

    def __del__(self) -> None:
        if self.connection is not None:
            self.connection.close()

    def write_locked(self) -> Callable[[Changes], None]:
        """``Store.observe_writes``: the counter under the write lock, before the commit."""
        before = self.data_version()

        def committed(changes: Changes) -> None:
            after = self.data_version()
            known = self.tip if self.tip is not None else self.version
            if self.pending is None or before is None or after is None or before != known:
                self.pending = None
            else:
                self.pending, self.tip = self.pending | changes, after

        return committed

    async def current(self, store: Store) -> None:
        """Bring the kept views up to the last commit: patched or forgotten."""
        async with self.lock:
            version = self.data_version()
            if version is None or version != self.version:
                pending, tip = self.pending, self.tip
                patchable = (
                    self.version is not None
                    and version is not None
                    and pending is not None
                    and tip == version
                    and _size(pending) <= _PATCH_MAX
                )
                if patchable and pending is not None:
                    # a commit while patching then follows on from these changes
                    self.pending, self.tip, self.version = NO_CHANGES, None, version
                    await self.patch(store, pending)
                else:
                    self.forget()
                    self.read_afresh += 1
            self.version = version

    async def patch(self, store: Store, changes: Changes) -> None:
        """The kept views as they are after ``changes``, re-reading only what they touch."""
        rows_changed = changes.plays or changes.cleanings or changes.collection_items
        if not (rows_changed or changes.releases):
            return  # outbox, sync state, styluses, folders: nothing kept shows them
        for release_id in changes.releases:
            self.releases.pop(release_id, None)
        async with store.read() as session:
            plays = await _changed(session, "plays", "played_at", "sides", changes.plays)
            cleanings = await _changed(
                session, "cleanings", "cleaned_at", "deep", changes.cleanings
            )
        listed = None
        if self.listing is not None:
            listed = await self.patch_listing(store, changes, plays, cleanings)
        before = dict(self.listens)
        timed: dict[int, wire.Release] = {}
        if plays:
            for window, found in self.listens.items():
                self.listens[window] = _patched(found, window, plays)
            wanted = {play[1] for play in plays.values()}
            wanted |= {
                row.release_id for found in before.values() for row in found if row.key in plays
            }
            missing = wanted.difference(self.releases)
            # what a play lasted needs its release's tracks only when it names sides
            sided = {play[1] for play in plays.values() if play[3] and not play[0]}
            sided |= {
                row.release_id
                for found in before.values()
                for row in found
                if row.key in plays and row.sides
            }
            if missing or sided:
                async with store.read() as session:
                    if missing:
                        self.releases.update(await releases(session, missing))
                    timed = await with_tracks(session, self.releases, sided)
        patch = Patch(changes, listed, set(plays), before, self.listens, self.releases, timed)
        derived: dict[tuple[object, ...], tuple[object, Patcher[Any] | None]] = {}
        for key, (value, patcher) in self.derived.items():
            if patcher is not None:
                kept = patcher(value, patch)
                if kept is not None:
                    derived[key] = (kept, patcher)
        self.derived = derived

    async def patch_listing(
        self,
        store: Store,
        changes: Changes,
        plays: dict[str, _Changed],
        cleanings: dict[str, _Changed],
    ) -> Listed:
        """Re-read the items the changes touch: (the instance ids taken out, their rows now,
        their rows before)."""
        assert self.listing is not None
        owners = self.owners
        release_ids = set(changes.releases)
        for key, (deleted, release, _at, _extra) in (plays | cleanings).items():
            old = owners.pop(key, None)
            if old is not None:
                release_ids.add(old)
            release_ids.add(release)
            if not deleted:
                owners[key] = release
        instances = changes.collection_items
        touched = set(instances)
        for row in self.listing:
            if row.item.instance_id in instances:
                release_ids.add(row.item.release_id)
        for row in self.listing:
            if row.item.release_id in release_ids:
                touched.add(row.item.instance_id)
        async with store.read() as session:
            fresh = await listing_rows(session, archived=None, touching=(instances, release_ids))
        kept: list[ListingRow] = []
        before: list[ListingRow] = []
        for row in self.listing:
            (before if row.item.instance_id in touched else kept).append(row)
        self.listing = sorted(kept + fresh, key=lambda row: row.item.instance_id)
        return Listed(touched | {row.item.instance_id for row in fresh}, fresh, before)


def _size(changes: Changes) -> int:
    return (
        len(changes.plays)
        + len(changes.cleanings)
        + len(changes.collection_items)
        + len(changes.releases)
    )


_Changed = tuple[bool, int, str, Any]
"""A changed play or cleaning as stored: deleted, release id, when (stored text), then its
sides (a play) or whether it was deep (a cleaning)."""


async def _changed(
    session: AsyncSession, table: str, when: str, extra: str, ids: Iterable[uuid.UUID]
) -> dict[str, _Changed]:
    keys = ",".join(f"'{key.hex}'" for key in ids)
    if not keys:
        return {}
    query = f"SELECT id, deleted, release_id, {when}, {extra} FROM {table} WHERE id IN ({keys})"  # noqa: S608 (our names, hex ids)
    result = await session.execute(text(query))
    return {key: (bool(deleted), release, at, more) for key, deleted, release, at, more in result}


def _patched(
    found: list[Listened],
    window: tuple[dt.datetime, dt.datetime, int | None],
    plays: dict[str, _Changed],
) -> list[Listened]:
    """A kept period's plays with the changed ones taken out and the live ones in it put
    back, ordered by when they were played as ``listens`` reads them."""
    since, until, release_id = _stored(window[0]), _stored(window[1]), window[2]
    patched = [listened for listened in found if listened.key not in plays]
    for key, (deleted, release, at, sides) in plays.items():
        if deleted or not since <= at < until or release_id not in (None, release):
            continue
        played_at = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
        patched.append(Listened(release, played_at, _sides(sides), key))
    patched.sort(key=lambda listened: listened.played_at)
    return patched


_WATCHED: weakref.WeakKeyDictionary[Store, _Watched] = weakref.WeakKeyDictionary()


async def _watched(store: Store) -> _Watched:
    watched = _WATCHED.get(store)
    if watched is None:
        watched = _WATCHED[store] = _Watched(str(database_path(store.home)))
        store.observe_writes(watched.write_locked)
    await watched.current(store)
    return watched


def forget(store: Store) -> None:
    """Drop what is kept for ``store`` (the next call reads everything afresh)."""
    watched = _WATCHED.get(store)
    if watched is not None:
        watched.forget()
        watched.version = None


def reads_afresh(store: Store) -> int:
    """How many commits ``store``'s kept views could not be patched with (for tests)."""
    watched = _WATCHED.get(store)
    return 0 if watched is None else watched.read_afresh


async def cached_listing(store: Store) -> list[ListingRow]:
    """Every live item (both archive states, all folders) as ``listing_rows`` reads them,
    read again only when something was committed to the store since (patched when this
    process committed it, see ``_Watched``): typing a search or switching a sort costs no
    query. The counter is read before the rows, so rows are never labelled with a counter
    older than a commit they miss."""
    watched = await _watched(store)
    if watched.listing is None:
        async with store.read() as session:
            listing = await listing_rows(session, archived=None)
            owners = await _owners(session)
        if watched.version is not None:
            watched.listing, watched.owners = listing, owners
        return listing
    return watched.listing


async def cached_listens(
    store: Store, since: dt.datetime, until: dt.datetime, release_id: int | None = None
) -> list[Listened]:
    """``listens``, kept like ``cached_listing`` (a few windows): the analytics page asks
    a series and several distributions of one period."""
    watched = await _watched(store)
    key = (since, until, release_id)
    found = watched.listens.get(key)
    if found is None:
        async with store.read() as session:
            found = await listens(session, since, until, release_id)
        if watched.version is not None:
            if len(watched.listens) >= 8:
                watched.listens.clear()
            watched.listens[key] = found
    return found


async def cached_releases(store: Store, ids: Iterable[int]) -> dict[int, wire.Release]:
    """``releases``, each kept until a commit changes it."""
    watched = await _watched(store)
    kept = watched.releases
    wanted = set(ids)
    missing = wanted.difference(kept)
    if missing:
        async with store.read() as session:
            found = await releases(session, missing)
        if watched.version is None:
            return {n: kept[n] for n in wanted if n in kept} | found
        if len(kept) + len(found) > _DECODED_MAX:
            kept.clear()
        kept.update(found)
    return {release_id: kept[release_id] for release_id in wanted if release_id in kept}


async def _owners(session: AsyncSession) -> dict[str, int]:
    query = (
        "SELECT id, release_id FROM plays WHERE deleted = 0"
        " UNION ALL SELECT id, release_id FROM cleanings WHERE deleted = 0"
    )
    return {key: release for key, release in await session.execute(text(query))}


@dataclass(frozen=True)
class Listed:
    """The kept listing's patch: the instance ids whose rows changed (or are new, or gone),
    their rows now and before."""

    touched: set[int]
    fresh: list[ListingRow]
    before: list[ListingRow]


@dataclass(frozen=True)
class Patch:
    """What a kept value is patched with (see ``kept``)."""

    changes: Changes
    listed: Listed | None
    """None when no listing was kept."""
    plays: set[str]
    """The changed plays' stored ids."""
    listens_before: dict[tuple[dt.datetime, dt.datetime, int | None], list[Listened]]
    listens: dict[tuple[dt.datetime, dt.datetime, int | None], list[Listened]]
    releases: dict[int, wire.Release]
    """Kept releases (without tracks, as ``releases`` reads them), the changed plays' among
    them."""
    timed: dict[int, wire.Release] = field(default_factory=dict)
    """The changed plays' releases with their tracks (``with_tracks``), for what they lasted."""


Patcher = Callable[[T, Patch], T | None]
"""Brings a kept value up to date after a commit of this process; None when it cannot
(computed again)."""


async def kept(
    store: Store,
    key: tuple[object, ...],
    compute: Callable[[], Awaitable[T]],
    patch: Patcher[T] | None = None,
) -> T:
    """``compute()``'s result, kept under ``key`` until the next commit to the store that
    touches plays, cleanings, items or releases (a few at a time): for values derived from
    the kept rows, such as one period's plays. With ``patch``, such a commit of this process
    patches it instead (see ``_Watched``)."""
    watched = await _watched(store)
    if key in watched.derived:
        return cast(T, watched.derived[key][0])
    value = await compute()
    if watched.version is not None:
        if len(watched.derived) >= 16:
            watched.derived.clear()
        watched.derived[key] = (value, patch)
    return value
