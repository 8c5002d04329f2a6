"""Uploading a collection snapshot the way a client does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from tests.server.conftest import ApiUser

SNAPSHOTS = "/api/v1/collection/snapshots"


def basic_release(release_id: int, title: str | None = None) -> dict[str, Any]:
    return {
        "id": release_id,
        "title": title or f"Record {release_id}",
        "year": 1970,
        "artists": [{"id": 5, "name": "Some Artist"}],
        "formats": [{"name": "Vinyl", "qty": 1, "descriptions": ["LP"]}],
        "genres": ["Jazz"],
        "duration_seconds": 2640,
        "duration_estimated": True,
    }


def item(instance_id: int, release_id: int, **fields: Any) -> dict[str, Any]:
    added = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=instance_id % 1000)
    return {
        "instance_id": instance_id,
        "release_id": release_id,
        "folder_id": 1,
        "rating": 3,
        "added_at": added.isoformat(),
        **fields,
    }


class Collection:
    """A user's Discogs collection: instance id -> release id (each release its own)."""

    def __init__(self, release_ids: Iterator[int], size: int) -> None:
        self._ids = release_ids
        self.items: dict[int, int] = {}
        self.add(size)

    def add(self, count: int) -> list[int]:
        added = []
        for _ in range(count):
            release_id = next(self._ids)
            self.items[release_id + 1_000_000] = release_id
            added.append(release_id + 1_000_000)
        return added

    def remove(self, instance_ids: Sequence[int]) -> None:
        for instance_id in instance_ids:
            del self.items[instance_id]

    def pages(self, per_page: int) -> list[dict[str, Any]]:
        pairs = sorted(self.items.items())
        return [
            {
                "items": [item(i, r) for i, r in pairs[start : start + per_page]],
                "releases": [basic_release(r) for _, r in pairs[start : start + per_page]],
            }
            for start in range(0, len(pairs), per_page)
        ]


async def begin(user: ApiUser, expected: int, **extra: Any) -> dict[str, Any]:
    body = {
        "source": "discogs",
        "username": "collector",
        "expected_items": expected,
        "folders": [{"id": 0, "name": "All", "count": expected}],
        **extra,
    }
    response = await user.post(SNAPSHOTS, json=body)
    assert response.status_code == 201, response.text
    info: dict[str, Any] = response.json()
    return info


async def upload(
    user: ApiUser,
    collection: Collection,
    *,
    per_page: int = 4,
    complete: bool = True,
    skip_pages: Sequence[int] = (),
) -> dict[str, Any]:
    """Begin, send every page (but ``skip_pages``), commit; returns the reconcile result."""
    pages = {
        number: page
        for number, page in enumerate(collection.pages(per_page), start=1)
        if number not in skip_pages
    }
    return await send_snapshot(user, len(collection.items), pages, complete=complete)


async def send_snapshot(
    user: ApiUser, expected: int, pages: dict[int, dict[str, Any]], *, complete: bool = True
) -> dict[str, Any]:
    """Begin a snapshot of ``expected`` items, send ``pages`` by number, commit; returns the
    reconcile result."""
    info = await begin(user, expected)
    for number, page in pages.items():
        sent = await user.put(f"{SNAPSHOTS}/{info['id']}/pages/{number}", json=page)
        assert sent.status_code == 200, sent.text
    response = await user.post(f"{SNAPSHOTS}/{info['id']}/commit", json={"complete": complete})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def collection_items(user: ApiUser, archived: bool = False) -> dict[int, dict[str, Any]]:
    response = await user.get(
        "/api/v1/collection", params={"archived": str(archived).lower(), "limit": 500}
    )
    assert response.status_code == 200, response.text
    return {entry["instance_id"]: entry for entry in response.json()["items"]}
