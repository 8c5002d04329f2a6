"""Checks on uploaded collection data beyond its wire schema: what the database would refuse
(NUL characters, integers past a column's range) and ids that cannot be Discogs ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kleio_server.kit.errors import InvalidField
from shared.protocol import entities as wire

MAX_DISCOGS_ID = 2**53
MAX_INT32 = 2**31 - 1


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _check_id(value: int | None, where: str) -> None:
    if value is not None and not 1 <= value <= MAX_DISCOGS_ID:
        raise InvalidField(where, f"not a Discogs id: {value}")


def check_release(release: wire.Release, where: str) -> None:
    for i, artist in enumerate(release.artists):
        _check_id(artist.id, f"{where}.artists.{i}.id")
    for i, label in enumerate(release.labels):
        _check_id(label.id, f"{where}.labels.{i}.id")
    if release.duration_seconds is not None and release.duration_seconds > MAX_INT32:
        raise InvalidField(f"{where}.duration_seconds", "too large")
    if _has_nul(release.model_dump(mode="json")):
        raise InvalidField(where, "text may not contain NUL characters")


def check_item(item: wire.CollectionItem, where: str) -> None:
    if _has_nul(item.model_dump(mode="json")):
        raise InvalidField(where, "text may not contain NUL characters")


def check_folders(folders: Iterable[wire.Folder]) -> None:
    seen: set[int] = set()
    for i, folder in enumerate(folders):
        if folder.id in seen:
            raise InvalidField(f"folders.{i}.id", f"folder {folder.id} is listed twice")
        seen.add(folder.id)
        if folder.count > MAX_INT32:
            raise InvalidField(f"folders.{i}.count", "too large")
        if "\x00" in folder.name:
            raise InvalidField(f"folders.{i}.name", "text may not contain NUL characters")
