"""The change bus and the Changes value."""

from __future__ import annotations

import logging
import uuid

import pytest

from kleio_desktop.core.changes import ChangeBus, Changes


def test_changes_merge_and_report_kinds() -> None:
    play = uuid.uuid4()
    merged = Changes(plays=frozenset([play])) | Changes(
        collection_items=frozenset([3]), outbox=True
    )
    assert merged.plays == {play}
    assert merged.kinds == {"plays", "collection_items", "outbox"}
    assert merged
    assert not Changes()


def test_bus_calls_listeners_in_order_and_survives_a_failing_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = ChangeBus()
    calls: list[str] = []

    def broken(_: Changes) -> None:
        raise RuntimeError("boom")

    bus.subscribe(lambda _: calls.append("first"))
    bus.subscribe(broken)
    unsubscribe = bus.subscribe(lambda _: calls.append("third"))
    with caplog.at_level(logging.ERROR):
        bus.publish(Changes(outbox=True))
    assert calls == ["first", "third"]
    assert "boom" in caplog.text

    unsubscribe()
    unsubscribe()
    bus.publish(Changes(outbox=True))
    bus.publish(Changes())  # nothing changed: nobody is called
    assert calls == ["first", "third", "first"]


def test_a_transactions_union_keeps_every_kind_of_change() -> None:
    """``union_all`` (a transaction's many touches) and ``|`` agree on every field."""
    import dataclasses
    import uuid as uuid_module

    from kleio_desktop.core.store.transaction import union_all

    parts = []
    for field in dataclasses.fields(Changes):
        value: object = True
        if field.name in ("plays", "cleanings", "styluses"):
            value = frozenset({uuid_module.uuid4()})
        elif field.name in ("collection_items", "folders", "releases"):
            value = frozenset({7})
        parts.append(Changes(**{field.name: value}))  # type: ignore[arg-type]
    expected = Changes()
    for part in parts:
        expected = expected | part
    assert union_all(parts) == expected
    assert expected.kinds == {field.name for field in dataclasses.fields(Changes)}
