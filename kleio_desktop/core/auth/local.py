"""Local mode: the embedded server's single user pairs with the access key the server printed."""

from __future__ import annotations

from collections.abc import Generator

import httpx


class LocalKeyAuth(httpx.Auth):
    """Sends the local-mode access key as a bearer token (the server accepts it as one)."""

    def __init__(self, key: str) -> None:
        if not key.strip():
            raise ValueError("the local access key is empty")
        self._key = key.strip()

    def __repr__(self) -> str:
        return "LocalKeyAuth(key=<hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {self._key}"
        yield request
