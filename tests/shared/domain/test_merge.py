"""The merge rules both sides run (shared.domain.merge), on plain values."""

from __future__ import annotations

from shared.domain.merge import DELETED, merge_deleted, merge_fields, primary_winner, wins

T1, T2, T3 = (f"{ms:016d}-00000-dev" for ms in (1, 2, 3))


def test_a_newer_clock_wins_a_field_and_a_field_without_one_takes_any_write() -> None:
    assert wins(T2, T1) and not wins(T1, T2) and not wins(T1, T1)
    assert wins(T1, None) and wins(None, None) and not wins(None, T1)


def test_fields_merge_one_by_one() -> None:
    merged = merge_fields(
        {"notes": "a", "sides": ["A"]},
        {"notes": T2, "sides": T1},
        {"notes": "older", "sides": ["B"]},
        {"notes": T1, "sides": T3},
    )
    assert merged.changed == {"sides": ["B"]}
    assert merged.clocks == {"notes": T2, "sides": T3}
    assert merged.lost  # the older notes lost and differ: their device must be told


def test_an_equal_value_is_no_change_and_no_loss() -> None:
    merged = merge_fields({"notes": "a"}, {"notes": T2}, {"notes": "a"}, {"notes": T1})
    assert merged.changed == {} and not merged.lost


def test_a_delete_is_a_write_that_later_edits_do_not_revive() -> None:
    deleted = merge_deleted(False, {"notes": T1}, True, T2)
    assert deleted.deleted and deleted.won and deleted.clocks == {"notes": T1, DELETED: T2}
    # an edit of another field, even newer, leaves the tombstone alone
    edit = merge_fields({"notes": "a"}, deleted.clocks, {"notes": "b"}, {"notes": T3})
    assert DELETED not in edit.changed and edit.clocks[DELETED] == T2
    late_restore = merge_deleted(True, deleted.clocks, False, T1)
    assert late_restore.deleted and not late_restore.won and late_restore.lost


def test_one_primary_the_newer_claim_wins() -> None:
    assert primary_winner(T2, [T1, ""]) is None  # the claim holds; the others step down
    assert primary_winner(T1, [T3, T2]) == T3  # the claim yields to the newest
    assert primary_winner(T1, []) is None
