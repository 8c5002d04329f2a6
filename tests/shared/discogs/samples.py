"""Recorded-shape Discogs bodies with the quirks the client must tolerate."""

from typing import Any

QUIRKY_RELEASE: dict[str, Any] = {
    "id": 77,
    "master_id": 0,
    "title": None,
    "year": 0,
    "artists": [{"name": "Prince (2)", "id": None}],
    "formats": [{"name": "Vinyl", "qty": "2", "descriptions": None}, {"name": "CD", "qty": ""}],
    "labels": None,
    "tracklist": [
        {"position": "", "type_": "heading", "title": "Side A", "duration": ""},
        {
            "type_": "index",
            "title": "Suite",
            "sub_tracks": [
                {"position": "A1a", "type_": "track", "title": "I", "duration": "1:00"},
                {"position": "A1b", "type_": "track", "title": "II", "duration": "bogus"},
            ],
        },
        {"position": "B1", "title": "No type", "duration": "2:30"},
        "not a row",
    ],
}
