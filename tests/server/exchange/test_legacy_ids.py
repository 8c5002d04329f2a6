from __future__ import annotations

import datetime as dt
import uuid

from shared.ids import new_id
from shared.legacy.ids import derived_uuid7, legacy_uuid


def test_legacy_ids_are_deterministic_uuid7_per_user_table_and_row() -> None:
    alice, bob = new_id(), new_id()
    at = dt.datetime(2026, 1, 6, 7, 30, tzinfo=dt.UTC)
    first = legacy_uuid(alice, "play_history", 1, at)
    assert first == legacy_uuid(alice, "play_history", 1, at)
    assert first.version == 7
    assert first.variant == uuid.RFC_4122
    assert first.int >> 80 == int(at.timestamp() * 1000)
    others = {
        legacy_uuid(bob, "play_history", 1, at),
        legacy_uuid(alice, "cleaning_history", 1, at),
        legacy_uuid(alice, "play_history", 2, at),
    }
    assert first not in others
    assert len(others) == 3


def test_without_an_instant_the_users_timestamp_is_used() -> None:
    user = new_id()
    stylus = legacy_uuid(user, "styluses", 3)
    assert stylus.version == 7
    assert stylus.int >> 80 == user.int >> 80


def test_a_remapped_id_keeps_the_original_time() -> None:
    original = new_id()
    remapped = derived_uuid7(new_id(), "import:play", original, original)
    assert remapped != original
    assert remapped.int >> 80 == original.int >> 80
