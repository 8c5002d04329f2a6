"""The documents on the ``kleio_changes`` NOTIFY channel (each under PostgreSQL's 8000 bytes).

One JSON object per notification: ``i`` the sending instance, then lists by kind, any of
them absent when empty:

- ``c``: ``[user, seq]`` the user's log reached ``seq`` (read it);
- ``x``: ``[user, after, seq, message]`` entries ``after + 1 .. seq`` committed, and their
  ``changes`` message (the rows' state, embedded as JSON);
- ``u``: ``[user, text]`` a message for every socket of the user;
- ``o``: ``[offer, user]`` who has a desktop of the user? ``h``: ``[offer, instance]`` I do
  (answered to ``instance``); ``d``: ``[offer, instance, user, text]`` then send it to one
  (``instance`` is the one that answered).

Users are UUID hex strings. An item too big for one notification is not sent (a ``x``
item becomes a ``c`` item instead, so the other instances read the changes themselves).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

MAX_PAYLOAD_BYTES = 7900  # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more
KINDS = ("c", "x", "u", "o", "h", "d")


@dataclass
class Notification:
    instance: str
    pairs: list[tuple[uuid.UUID, int]] = field(default_factory=list)
    changes: list[tuple[uuid.UUID, int, int, str]] = field(default_factory=list)
    to_users: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    offers: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    deliveries: list[tuple[str, str, uuid.UUID, str]] = field(default_factory=list)


def pair_item(user_id: uuid.UUID, seq: int) -> str:
    return f'["{user_id.hex}",{int(seq)}]'


def changes_item(user_id: uuid.UUID, after: int, seq: int, message: str) -> str:
    return f'["{user_id.hex}",{int(after)},{int(seq)},{message}]'


def to_user_item(user_id: uuid.UUID, text: str) -> str:
    return _dumps([user_id.hex, text])


def offer_item(offer: str, user_id: uuid.UUID) -> str:
    return _dumps([offer, user_id.hex])


def answer_item(offer: str, instance: str) -> str:
    return _dumps([offer, instance])


def delivery_item(offer: str, instance: str, user_id: uuid.UUID, text: str) -> str:
    return _dumps([offer, instance, user_id.hex, text])


def fits(item: str, instance: str, limit: int = MAX_PAYLOAD_BYTES) -> bool:
    return len(_document(instance, {"c": [item]}).encode()) <= limit


def encode_payloads(
    instance: str,
    pairs: dict[uuid.UUID, int],
    items: list[tuple[str, str]] = (),  # type: ignore[assignment]
    limit: int = MAX_PAYLOAD_BYTES,
) -> list[str]:
    """Documents under ``limit`` bytes holding the pairs and the (kind, item) items; an
    item that could never fit is left out (``fits`` tells beforehand)."""
    every = [("c", pair_item(user_id, seq)) for user_id, seq in pairs.items()] + list(items)
    payloads: list[str] = []
    batch: dict[str, list[str]] = {}
    size = len(_document(instance, {}).encode())
    for kind, item in every:
        grows = len(item.encode()) + 1 + (0 if kind in batch else len(kind) + 5)
        if size + grows > limit:
            if batch:
                payloads.append(_document(instance, batch))
            batch, size = {}, len(_document(instance, {}).encode())
            grows = len(item.encode()) + len(kind) + 6
            if size + grows > limit:
                continue
        batch.setdefault(kind, []).append(item)
        size += grows
    if batch:
        payloads.append(_document(instance, batch))
    return payloads


def _document(instance: str, batch: dict[str, list[str]]) -> str:
    parts = [f'"i":{_dumps(instance)}']
    parts += [f'"{kind}":[{",".join(items)}]' for kind, items in batch.items()]
    return "{" + ",".join(parts) + "}"


def decode_payload(payload: str) -> Notification:
    """The notification; ``ValueError`` for anything not ours."""
    try:
        document = json.loads(payload)
        found = Notification(instance=str(document["i"]))
        found.pairs = [(_user(u), int(s)) for u, s in document.get("c", ())]
        found.changes = [
            (_user(u), int(a), int(s), _message(m)) for u, a, s, m in document.get("x", ())
        ]
        found.to_users = [(_user(u), _text(t)) for u, t in document.get("u", ())]
        found.offers = [(_text(o), _user(u)) for o, u in document.get("o", ())]
        found.answers = [(_text(o), _text(i)) for o, i in document.get("h", ())]
        found.deliveries = [
            (_text(o), _text(i), _user(u), _text(t)) for o, i, u, t in document.get("d", ())
        ]
        return found
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a kleio change notification: {exc}") from exc


def _user(value: Any) -> uuid.UUID:
    return uuid.UUID(hex=str(value))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _message(value: Any) -> str:
    if not isinstance(value, dict) or value.get("type") != "changes":
        raise TypeError("expected a changes message")
    return _dumps(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
