"""A fake Discogs API (raw ASGI) that enforces what the real one does.

* the moving window: ``limit`` requests per ``window`` seconds of the injected clock, the
  three ``X-Discogs-Ratelimit*`` headers on every answer, 429 when over;
* auth: ``Authorization: Discogs token=…`` required, a ``?token=`` query rejected (so a
  client that leaks the token into a URL fails its tests), a User-Agent required;
* the documented paths and shapes, paginated;
* configurable failures: a page that answers 500 or drops the connection, a storm of
  429s, a limit that changes after N requests, budget used by "another program".
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

from shared.discogs.timing import Clock
from tests.fakes.discogs.data import FOLDERS, Collection, basic_information

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
FailureKind = Literal["500", "drop"]

UNAUTHORIZED = "You must authenticate to access this resource."
TOO_FAST = "You are making requests too quickly."


@dataclass
class Logged:
    at: float
    path: str
    query: dict[str, str]
    status: int


@dataclass
class _Failure:
    kind: FailureKind
    remaining: int | None  # None: fails until healed


class _Answer(Exception):
    def __init__(self, status: int, body: Any, extra: dict[str, str] | None = None) -> None:
        self.status, self.body, self.extra = status, body, extra or {}


class FakeDiscogs:
    def __init__(
        self,
        collection: Collection,
        clock: Clock,
        *,
        token: str = "good-token",  # noqa: S107 - the fake's own test token
        limit: int = 60,
        window: float = 60.0,
        allow_query_token: bool = False,
    ) -> None:
        self.collection = collection
        self.clock = clock
        self.token = token
        self.limit = limit
        self.window = window
        self.allow_query_token = allow_query_token
        self.log: list[Logged] = []
        self.accepted: list[float] = []
        self.too_many = 0
        self._recent: deque[float] = deque()
        self._page_failures: dict[int, _Failure] = {}
        self._storm = 0
        self._storm_after = 0
        self._limit_changes: list[tuple[int, int]] = []
        self._retry_after: float | None = None
        self._sorted: dict[tuple[int, bool], list[dict[str, Any]]] = {}
        self.release_gone: set[int] = set()
        """Release ids whose ``GET /releases/{id}`` answers 404 (still listed in the collection)."""

    # ---- configuration ---------------------------------------------------------------

    def fail_page(self, page: int, kind: FailureKind = "500", times: int | None = None) -> None:
        """Collection page ``page`` fails ``times`` times (forever when None)."""
        self._page_failures[page] = _Failure(kind, times)

    def heal(self) -> None:
        self._page_failures.clear()

    def storm(self, requests: int, retry_after: float | None = None, after: int = 0) -> None:
        """Once ``after`` requests were accepted, the next ``requests`` requests get 429
        whatever the window holds (with ``Retry-After`` when given)."""
        self._storm = requests
        self._storm_after = after
        self._retry_after = retry_after

    def change_limit_after(self, requests: int, limit: int) -> None:
        """From the ``requests``-th accepted request on, the limit is ``limit``."""
        self._limit_changes.append((requests, limit))

    def consume(self, requests: int) -> None:
        """Another program on the same IP makes ``requests`` requests now."""
        now = self.clock.now()
        self._recent.extend([now] * requests)

    # ---- measurements ----------------------------------------------------------------

    def paths(self) -> list[str]:
        return [entry.path for entry in self.log]

    def pages_requested(self) -> list[int]:
        return [
            int(e.query.get("page", "1"))
            for e in self.log
            if e.path.endswith("/releases") and e.status == 200
        ]

    def max_in_window(self) -> int:
        """Most accepted requests of ours inside any window (arrival times)."""
        best, start = 0, 0
        for end, at in enumerate(self.accepted):
            while self.accepted[start] <= at - self.window:
                start += 1
            best = max(best, end - start + 1)
        return best

    # ---- ASGI ------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        path: str = scope["path"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        base = f"{scope['scheme']}://{headers.get('host', 'localhost')}"
        try:
            body = self._handle(scope["method"], path, query, headers, base)
            status, extra = 200, {}
        except _Answer as answer:
            status, body, extra = answer.status, answer.body, answer.extra
        dropped = extra.pop("x-drop", None) is not None
        self.log.append(Logged(self.clock.now(), path, query, 0 if dropped else status))
        if dropped:
            await self._drop(send)
            return
        payload = json.dumps(body).encode()
        out = [(b"content-type", b"application/json"), *self._rate_headers(), *extra.items()]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(str(k).encode(), str(v).encode()) for k, v in out],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def _drop(self, send: Send) -> None:
        start = {"type": "http.response.start", "status": 200}
        await send({**start, "headers": [(b"content-length", b"100000")]})
        await send({"type": "http.response.body", "body": b'{"pagination": ', "more_body": True})
        raise ConnectionAbortedError("fake Discogs dropped the connection")

    def _rate_headers(self) -> list[tuple[str, str]]:
        used = len(self._recent)
        return [
            ("X-Discogs-Ratelimit", str(self.limit)),
            ("X-Discogs-Ratelimit-Used", str(used)),
            ("X-Discogs-Ratelimit-Remaining", str(max(0, self.limit - used))),
        ]

    def _handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], base: str
    ) -> Any:
        if not headers.get("user-agent"):
            raise _Answer(403, {"message": "A User-Agent is required."})
        if "token" in query and not self.allow_query_token:
            raise _Answer(400, {"message": "Send the token in the Authorization header."})
        self._admit()
        if not self._authorised(headers, query):
            raise _Answer(401, {"message": UNAUTHORIZED})
        if method != "GET":
            raise _Answer(405, {"message": "Method not allowed."})
        return self._route(path, query, base)

    def _admit(self) -> None:
        now = self.clock.now()
        while self._recent and self._recent[0] <= now - self.window:
            self._recent.popleft()
        if self._storm > 0 and len(self.accepted) >= self._storm_after:
            self._storm -= 1
            self._reject()
        if len(self._recent) >= self.limit:
            self._reject()
        self._recent.append(now)
        self.accepted.append(now)
        for after, limit in self._limit_changes:
            if len(self.accepted) == after:
                self.limit = limit

    def _reject(self) -> None:
        self.too_many += 1
        extra = {} if self._retry_after is None else {"Retry-After": f"{self._retry_after:g}"}
        raise _Answer(429, {"message": TOO_FAST}, extra)

    def _authorised(self, headers: dict[str, str], query: dict[str, str]) -> bool:
        if self.allow_query_token and query.get("token") == self.token:
            return True
        return headers.get("authorization") == f"Discogs token={self.token}"

    def _route(self, path: str, query: dict[str, str], base: str) -> Any:
        user = self.collection.username
        if path == "/oauth/identity":
            return {
                "id": self.collection.user_id,
                "username": user,
                "resource_url": f"{base}/users/{user}",
                "consumer_name": "Kleio tests",
            }
        if match := re.fullmatch(r"/releases/(\d+)", path):
            release = self.collection.releases.get(int(match[1]))
            if release is None or int(match[1]) in self.release_gone:
                raise _Answer(404, {"message": "Release not found."})
            return release
        if not (match := re.fullmatch(r"/users/([^/]+)(/.*)?", path)) or match[1] != user:
            raise _Answer(404, {"message": "The requested resource was not found."})
        rest = match[2] or ""
        if rest == "":
            return {
                "id": self.collection.user_id,
                "username": user,
                "resource_url": f"{base}/users/{user}",
                "collection_folders_url": f"{base}/users/{user}/collection/folders",
                "wantlist_url": f"{base}/users/{user}/wants",
            }
        if rest == "/collection/folders":
            return {"folders": self._folders(base)}
        if m := re.fullmatch(r"/collection/folders/(\d+)/releases", rest):
            return self._collection_page(int(m[1]), query, base + path)
        if rest == "/wants":
            return self._paginate(self.collection.wants, "wants", query, base + path)
        raise _Answer(404, {"message": "The requested resource was not found."})

    def _folders(self, base: str) -> list[dict[str, Any]]:
        user = self.collection.username
        url = f"{base}/users/{user}/collection/folders"
        rows = [{"id": 0, "name": "All", "count": len(self.collection.items)}]
        for folder_id, name in FOLDERS:
            count = sum(1 for i in self.collection.items if i["folder_id"] == folder_id)
            rows.append({"id": folder_id, "name": name, "count": count})
        return [{**row, "resource_url": f"{url}/{row['id']}"} for row in rows]

    def _collection_page(self, folder_id: int, query: dict[str, str], url: str) -> Any:
        page = int(query.get("page", "1"))
        failure = self._page_failures.get(page)
        if failure is not None and failure.remaining != 0:
            if failure.remaining is not None:
                failure.remaining -= 1
            if failure.kind == "drop":
                raise _Answer(200, None, {"x-drop": "1"})
            raise _Answer(500, {"message": "Internal server error."})
        descending = query.get("sort_order") == "desc"
        rows = self._sorted.get((folder_id, descending))
        if rows is None:
            items = self.collection.items
            rows = [i for i in items if folder_id == 0 or i["folder_id"] == folder_id]
            rows.sort(key=lambda i: str(i["date_added"]), reverse=descending)
            self._sorted[(folder_id, descending)] = rows
        return self._paginate(rows, "releases", query, url)

    def _paginate(self, rows: list[Any], key: str, query: dict[str, str], url: str) -> Any:
        per_page = min(100, max(1, int(query.get("per_page", "50"))))
        page = max(1, int(query.get("page", "1")))
        pages = max(1, -(-len(rows) // per_page))
        if page > pages:
            raise _Answer(404, {"message": f"Page {page} is out of range."})
        urls: dict[str, str] = {}
        link = f"{url}?per_page={per_page}&page="
        if page < pages:
            urls = {"next": f"{link}{page + 1}", "last": f"{link}{pages}"}
        pagination = {
            "page": page,
            "pages": pages,
            "per_page": per_page,
            "items": len(rows),
            "urls": urls,
        }
        chunk = [
            {**row, "basic_information": basic_information(self.collection.releases[row["id"]])}
            for row in rows[(page - 1) * per_page : page * per_page]
        ]
        return {"pagination": pagination, key: chunk}
