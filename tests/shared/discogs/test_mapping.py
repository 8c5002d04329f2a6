import datetime as dt

from shared.discogs.mapping import (
    collection_item,
    folder,
    release_from_basic,
    release_from_details,
)
from shared.discogs.payloads import (
    CollectionReleasePayload,
    FolderPayload,
    ReleasePayload,
)
from tests.shared.discogs.samples import QUIRKY_RELEASE

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def test_details_map_tracks_names_and_duration() -> None:
    release = release_from_details(ReleasePayload.model_validate(QUIRKY_RELEASE), NOW)
    assert release.year is None
    assert release.artists[0].name == "Prince"
    assert [t.title for t in release.tracks] == ["I", "II", "No type"]
    assert [t.seconds for t in release.tracks] == [60, None, 150]
    assert (release.duration_seconds, release.duration_estimated) == (210, False)
    assert release.fetched_at == NOW


def test_details_without_known_durations_are_estimated_from_the_formats() -> None:
    body = {
        "id": 3,
        "title": "LP",
        "formats": [{"name": "Vinyl", "qty": "1", "descriptions": ["LP"]}],
        "tracklist": [{"position": "A1", "title": "x", "duration": ""}],
        "images": [{"type": "secondary", "uri": "s", "uri150": "s150"}],
    }
    release = release_from_details(ReleasePayload.model_validate(body), NOW)
    assert (release.duration_seconds, release.duration_estimated) == (44 * 60, True)
    assert (release.cover_url, release.thumb_url) == ("s", "s150")


def test_collection_row_maps_item_notes_and_a_trackless_release() -> None:
    row = CollectionReleasePayload.model_validate(
        {
            "id": 9,
            "instance_id": 10,
            "folder_id": 3,
            "rating": 4,
            "date_added": "2017-06-22T10:13:30-07:00",
            "notes": [
                {"field_id": 1, "value": "Mint (M)"},
                {"field_id": 2, "value": "Good (G)"},
                {"field_id": 3, "value": "signed"},
                {"field_id": 4, "value": "ignored custom field"},
            ],
            "basic_information": {
                "id": 9,
                "title": "T" * 900,
                "year": 1977,
                "artists": [{"name": "Sun Ra (3)", "join": ","}],
                "formats": [{"name": "Vinyl", "qty": "2", "descriptions": ['7"']}],
                "cover_image": "c",
                "thumb": "t",
            },
        }
    )
    item = collection_item(row)
    assert (item.instance_id, item.release_id, item.folder_id, item.rating) == (10, 9, 3, 4)
    assert item.added_at == dt.datetime(2017, 6, 22, 17, 13, 30, tzinfo=dt.UTC)
    assert (item.media_condition, item.sleeve_condition, item.notes) == (
        "Mint (M)",
        "Good (G)",
        "signed",
    )
    release = release_from_basic(row.basic_information, NOW)
    assert release.tracks == []
    assert len(release.title) == 500
    assert release.artists[0].name == "Sun Ra"
    assert (release.cover_url, release.thumb_url, release.year) == ("c", "t", 1977)
    assert (release.duration_seconds, release.duration_estimated) == (2 * 2 * 3 * 60, True)


def test_folder() -> None:
    assert folder(FolderPayload(id=0, name="All", count=3)).count == 3
