"""Deterministic Discogs-shaped data for the fake, with the quirks real data has.

Quirks on purpose: artists with a " (n)" disambiguator, ``master_id`` 0 or null, a
format ``qty`` sent as a string, tracklists with heading and index rows (sub-tracks),
empty and unreadable durations, releases owned twice (two instances), missing keys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

FOLDERS = [(1, "Uncategorized"), (2, "LPs"), (3, "Singles")]
_BASE_DATE = dt.datetime(2015, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))


@dataclass
class Collection:
    username: str
    user_id: int
    items: list[dict[str, Any]] = field(default_factory=list)
    """Collection rows without ``basic_information`` (filled in from ``releases``)."""
    releases: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Full ``GET /releases/{id}`` bodies."""
    wants: list[dict[str, Any]] = field(default_factory=list)


def _tracklist(n: int) -> list[dict[str, Any]]:
    kind = n % 4
    if kind == 0:
        return [
            {"position": "A1", "type_": "track", "title": "Opening", "duration": "4:05"},
            {"position": "A2", "type_": "track", "title": "Second", "duration": "3:55"},
            {"position": "B1", "type_": "track", "title": "Flip", "duration": "1:02:03"},
        ]
    if kind == 1:
        return [
            {"position": "", "type_": "heading", "title": "Side One", "duration": ""},
            {"position": "A1", "type_": "track", "title": "No time", "duration": ""},
            {"position": "A2", "title": "Odd time", "duration": "about 3 min"},
        ]
    if kind == 2:
        return [
            {
                "position": "A",
                "type_": "index",
                "title": "Suite",
                "duration": "",
                "sub_tracks": [
                    {"position": "A.a", "type_": "track", "title": "Part I", "duration": "245"},
                    {"position": "A.b", "type_": "track", "title": "Part II", "duration": "5:00"},
                ],
            },
            {"position": "B", "type_": "track", "title": "Coda", "duration": "2:00"},
        ]
    return []


def _formats(n: int) -> list[dict[str, Any]]:
    if n % 5 == 0:
        return [{"name": "Vinyl", "qty": "2", "descriptions": ["LP", "Album"]}]
    if n % 5 == 1:
        return [{"name": "Vinyl", "qty": "1", "descriptions": ['7"', "45 RPM", "Single"]}]
    if n % 5 == 2:
        return [{"name": "Vinyl", "qty": "", "descriptions": ['12"', "33 ⅓ RPM"], "text": "Red"}]
    if n % 5 == 3:
        return [{"name": "CD", "qty": "1"}]
    return [{"name": "Vinyl", "qty": 1, "descriptions": None}]


def _release(release_id: int, n: int) -> dict[str, Any]:
    release: dict[str, Any] = {
        "id": release_id,
        "master_id": (0, None, 900_000 + n)[n % 3],
        "title": f"Record {n}",
        "year": 0 if n % 7 == 0 else 1960 + n % 60,
        "artists": [
            {"id": 10 + n % 97, "name": f"Artist {n % 97} (2)", "anv": "", "join": ""},
        ],
        "labels": [{"id": 20 + n % 31, "name": f"Label {n % 31}", "catno": f"CAT-{n}"}],
        "formats": _formats(n),
        "genres": ["Jazz"] if n % 2 else ["Rock"],
        "styles": [] if n % 3 else ["Hard Bop"],
        "thumb": f"https://img.example/{release_id}-150.jpg",
        "images": [{"type": "primary", "uri": f"https://img.example/{release_id}.jpg"}],
        "tracklist": _tracklist(n),
    }
    if n % 11 == 0:
        del release["styles"]  # a missing key
    return release


def basic_information(release: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": release["id"],
        "master_id": release.get("master_id"),
        "title": release["title"],
        "year": release["year"],
        "thumb": release["thumb"],
        "cover_image": release["images"][0]["uri"],
        "resource_url": f"/releases/{release['id']}",
        "artists": release["artists"],
        "labels": release["labels"],
        "formats": release["formats"],
        "genres": release["genres"],
        "styles": release.get("styles", []),
    }


def make_collection(items: int, *, username: str = "collector", wants: int = 0) -> Collection:
    """``items`` collection instances, every 50th owning the previous release a second time."""
    collection = Collection(username=username, user_id=4242)
    release_id = 100
    for n in range(1, items + 1):
        if n % 50 != 0 or n == 1:
            release_id += 1
            collection.releases[release_id] = _release(release_id, n)
        notes: list[dict[str, Any]] = []
        if n % 4 == 0:
            notes = [
                {"field_id": 1, "value": "Near Mint (NM or M-)"},
                {"field_id": 2, "value": "Very Good Plus (VG+)"},
                {"field_id": 3, "value": f"bought at fair #{n}"},
            ]
        collection.items.append(
            {
                "id": release_id,
                "instance_id": 7_000_000 + n,
                "folder_id": FOLDERS[n % 3][0],
                "rating": n % 6,
                "date_added": (_BASE_DATE + dt.timedelta(hours=n)).isoformat(),
                "notes": notes,
            }
        )
    for n in range(1, wants + 1):
        want_id = 5_000_000 + n
        collection.releases[want_id] = _release(want_id, n)
        collection.wants.append(
            {
                "id": want_id,
                "rating": 0,
                "date_added": (_BASE_DATE + dt.timedelta(days=n)).isoformat(),
            }
        )
    return collection
