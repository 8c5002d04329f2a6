"""What a committed transaction announces: per user, the ``changes`` message of the rows it
wrote when they are few and all at hand (then no instance reads them back), else the bare
``(user, seq)`` hint."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import inspect

from kleio_server.realtime.messages import Changes
from kleio_server.sync import changelog
from kleio_server.sync.entities import SPECS
from shared.protocol.sync import Change

log = logging.getLogger(__name__)


class Publisher(Protocol):
    def publish(self, user_id: uuid.UUID, seq: int) -> None: ...

    def publish_changes(self, user_id: uuid.UUID, after: int, seq: int, text: str) -> None: ...


def announcer(
    notifier: Publisher,
) -> Callable[[dict[uuid.UUID, changelog.Changed]], Awaitable[None]]:
    """``Kleio.announce``: announce what a committed transaction wrote, per user."""

    async def announce(written: dict[uuid.UUID, changelog.Changed]) -> None:
        for user_id, changed in written.items():
            try:
                text = changes_message(changed)
            except Exception:  # committed already: announce it, whatever went wrong here
                log.warning("changes not sent inline; the hint is", exc_info=True)
                text = None
            if text is None:
                notifier.publish(user_id, changed.seq)
            else:
                notifier.publish_changes(user_id, changed.after, changed.seq, text)

    return announce


def changes_message(changed: changelog.Changed) -> str | None:
    """The ``changes`` message of every entry the transaction wrote, or None when it cannot
    be told from the rows at hand (too many, a collection item, which comes with its
    catalogue entry, or a row no longer loaded)."""
    if not changed.complete or not changed.rows:
        return None
    try:
        changes = [
            _change(entity, entity_id, row) for (entity, entity_id), row in changed.rows.items()
        ]
    except _NotAtHand:
        return None
    changes.sort(key=lambda change: change.seq)
    return Changes(after=changed.after, cursor=changed.seq, changes=changes).model_dump_json()


class _NotAtHand(Exception):
    pass


def _change(entity: str, entity_id: str, row: Any) -> Change:
    if entity == "collection_item" or entity not in SPECS:
        raise _NotAtHand
    spec = SPECS[entity]
    state = inspect(row)
    needed = {spec.column(name) for name in spec.read.model_fields}
    if state.unloaded & (needed | {"field_clocks", "deleted", "seq"}) or not state.persistent:
        raise _NotAtHand
    data = spec.to_wire(row)
    data["field_clocks"] = dict(row.field_clocks or {})
    return Change(
        seq=row.seq, entity=spec.name, entity_id=entity_id, deleted=row.deleted, data=data
    )
