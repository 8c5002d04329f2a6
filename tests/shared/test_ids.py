from __future__ import annotations

import time

from shared.ids import is_uuid7, new_id


def test_new_ids_are_uuid7_and_time_ordered() -> None:
    ids = []
    for _ in range(50):
        ids.append(new_id())
        time.sleep(0.0005)
    assert all(is_uuid7(i) for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
