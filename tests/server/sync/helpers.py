"""Building and sending pushes the way a device does."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from shared.clock import HybridClock
from tests.server.conftest import ApiUser

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"
DEVICE_CLOCK = HybridClock("dev-a")  # stamps increase, as a device's do


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def hlc(ms: int, counter: int = 0, node: str = "dev-a") -> str:
    return f"{ms:016d}-{counter:05d}-{node}"


def mutation(
    mutation_id: int,
    entity: str,
    entity_id: object,
    fields: dict[str, Any] | None = None,
    *,
    op: str = "upsert",
    at: int | None = None,
    node: str = "dev-a",
) -> dict[str, Any]:
    return {
        "mutation_id": mutation_id,
        "entity": entity,
        "entity_id": str(entity_id),
        "op": op,
        "fields": fields or {},
        "hlc": DEVICE_CLOCK.now().encode() if at is None else hlc(at, node=node),
    }


async def push(user: ApiUser, client_id: uuid.UUID, *mutations: dict[str, Any]) -> httpx.Response:
    return await user.post(PUSH, json={"client_id": str(client_id), "mutations": list(mutations)})


async def pull_all(user: ApiUser, cursor: int = 0, limit: int = 1000) -> dict[str, Any]:
    response = await user.get(PULL, params={"cursor": cursor, "limit": limit})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def current_seq(user: ApiUser) -> int:
    response = await push(user, uuid.uuid4())
    assert response.status_code == 200, response.text
    seq: int = response.json()["seq"]
    return seq
