"""Named Discogs API calls; callers never build URLs.

Construct one per token with the application's shared ``httpx.AsyncClient``::

    client = DiscogsClient(http, token, base_url=DiscogsSettings().api)
    me = await client.identity()
    page = await client.collection_page(me.username, 1)
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from shared.discogs.errors import UnexpectedResponse
from shared.discogs.gate import Priority
from shared.discogs.payloads import (
    CollectionPage,
    FolderPayload,
    FoldersPayload,
    Identity,
    ReleasePayload,
    WantlistPage,
)
from shared.discogs.ratelimit import RateLimiter
from shared.discogs.settings import DEFAULT_API, user_agent
from shared.discogs.timing import Clock, SystemClock
from shared.discogs.transport import DiscogsTransport, Params

PER_PAGE = 100
ALL_FOLDER = 0

ModelT = TypeVar("ModelT", bound=BaseModel)


def _user(username: str) -> str:
    return quote(username, safe="")


class DiscogsClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        token: str,
        *,
        base_url: str = DEFAULT_API,
        user_agent_text: str | None = None,
        limiter: RateLimiter | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.limiter = limiter or RateLimiter()
        self.transport = DiscogsTransport(
            http,
            token=token,
            base_url=base_url,
            user_agent=user_agent_text or user_agent(),
            limiter=self.limiter,
            clock=self.clock,
        )

    @property
    def requests_sent(self) -> int:
        return self.transport.requests_sent

    @property
    def rate_limited(self) -> int:
        """429 answers received so far (each one was retried or ended in ``RateLimited``)."""
        return self.transport.rate_limited

    async def identity(self) -> Identity:
        return await self._get(Identity, "/oauth/identity", priority=Priority.IMPORT)

    async def folders(self, username: str) -> list[FolderPayload]:
        body = await self._get(
            FoldersPayload, f"/users/{_user(username)}/collection/folders", priority=Priority.IMPORT
        )
        return list(body.folders)

    async def collection_page(
        self,
        username: str,
        page: int,
        *,
        folder_id: int = ALL_FOLDER,
        per_page: int = PER_PAGE,
        priority: Priority = Priority.IMPORT,
    ) -> CollectionPage:
        """One page of a folder, oldest additions first (``sort=added&sort_order=asc``)."""
        params: Params = {"page": page, "per_page": per_page, "sort": "added", "sort_order": "asc"}
        path = f"/users/{_user(username)}/collection/folders/{folder_id}/releases"
        return await self._get(CollectionPage, path, params, priority)

    async def release(
        self, release_id: int, *, priority: Priority = Priority.INTERACTIVE
    ) -> ReleasePayload:
        return await self._get(ReleasePayload, f"/releases/{release_id}", priority=priority)

    async def wantlist_page(
        self, username: str, page: int, *, per_page: int = PER_PAGE
    ) -> WantlistPage:
        params: Params = {"page": page, "per_page": per_page}
        return await self._get(WantlistPage, f"/users/{_user(username)}/wants", params)

    async def _get(
        self,
        model: type[ModelT],
        path: str,
        params: Params | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> ModelT:
        body: Any = await self.transport.get_json(path, params, priority)
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            raise UnexpectedResponse(
                f"Discogs sent an unexpected {model.__name__} for {path}: "
                f"{exc.error_count()} problem(s)",
                path=path,
            ) from exc
