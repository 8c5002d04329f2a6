"""JSON Schema of every WebSocket message, published beside the OpenAPI document
(``/api/v1/ws/schema.json``) so that other clients (the web UI) generate their types."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.protocol.snapshot import ImportProgressMessage, RefreshRequestMessage
from shared.protocol.ws import Auth, ChangesMessage, Hello, Ping, Poke, Pong, Welcome

SERVER_MESSAGES: tuple[type[BaseModel], ...] = (
    Welcome,
    ChangesMessage,
    Poke,
    Pong,
    RefreshRequestMessage,
    ImportProgressMessage,
)
CLIENT_MESSAGES: tuple[type[BaseModel], ...] = (Auth, Hello, Ping)


def message_schemas() -> dict[str, Any]:
    """``{"$defs": {name: schema}, "server": [...], "client": [...]}``: every message type
    (and what they refer to) under its class name; ``server``/``client`` list which is which.
    """
    models = [(model, "serialization") for model in SERVER_MESSAGES] + [
        (model, "validation") for model in CLIENT_MESSAGES
    ]
    _keys, schema = models_json_schema(models, ref_template="#/$defs/{model}")  # type: ignore[arg-type]
    for model in SERVER_MESSAGES:  # the server always sends every field, defaults included
        definition = schema["$defs"][model.__name__]
        definition["required"] = list(definition["properties"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Kleio WebSocket messages (/api/v1/ws)",
        "$defs": schema["$defs"],
        "server": [model.__name__ for model in SERVER_MESSAGES],
        "client": [model.__name__ for model in CLIENT_MESSAGES],
    }
