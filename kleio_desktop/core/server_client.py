"""The desktop's one client of the Kleio server's REST API (``/api/v1``), in the spirit of
Picard's ``webservice/``: every request to our server goes through ``ServerClient.send``.

It does, once for all its callers (sync, the Discogs upload, sign-in, the server's sign-in
settings):

* the transport: the URL (``server_url + /api/v1 + path``, or relative to the ``httpx``
  client's ``base_url``), the request auth (the caller's credential, refreshed by its
  ``httpx.Auth`` flow), the body as JSON;
* the classification of every failure: no answer (connection refused, timeout, DNS, TLS),
  a sign-in that could not be refreshed (an ``AuthError`` raised by the auth flow), a refused
  credential (401/403), any other error answer, an answer that is not the expected model;
* the reading of an error answer (``application/problem+json``: ``detail``/``title``,
  ``errors``, ``Retry-After``) into one ``Problem``.

The words a user reads stay with each caller, because each belongs to its own branch of the
error tree (``core.errors``): the caller hands the client an ``ErrorMap`` that turns each
kind of failure into its ``KleioError`` (``SyncError``, ``UploadError``, ``AuthError``…).

Only ``httpx`` is imported here (no pydantic: a ``ValidationError`` is a ``ValueError``);
``kleio --help`` and ``kleio status`` import neither this module nor its callers.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from kleio_desktop.core.errors import KleioError

if TYPE_CHECKING:
    from pydantic import BaseModel

    M = TypeVar("M", bound=BaseModel)

API = "/api/v1"
MAX_RETRY_AFTER = 300.0
TEXT_SNIPPET = 200


@dataclass(frozen=True)
class Problem:
    """An error answer of the server, read once (RFC 9457 problem details when it sent some)."""

    method: str
    path: str
    """The request's URL path (``/api/v1/...``)."""
    status: int
    reason: str
    """The HTTP reason phrase (``Conflict``)."""
    detail: str | None
    """The problem's ``detail`` (else its ``title``); ``None`` when the body is no JSON object."""
    text: str
    """The first 200 characters of a body that is no JSON object (a proxy's HTML page…)."""
    errors: list[dict[str, Any]] = field(default_factory=list)
    """The problem's ``errors`` list, when it has one."""
    retry_after: float | None = None
    """``Retry-After`` in seconds (its delay form; a date or nonsense is ignored), at most
    five minutes."""

    @classmethod
    def of(cls, response: httpx.Response) -> Problem:
        detail: str | None = None
        text = ""
        errors: list[dict[str, Any]] = []
        try:
            body = response.json()
        except ValueError:
            text = response.text[:TEXT_SNIPPET]
        else:
            if isinstance(body, dict):
                detail = str(body.get("detail") or body.get("title") or response.reason_phrase)
                listed = body.get("errors")
                errors = (
                    [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
                )
            else:
                text = str(body)[:TEXT_SNIPPET]
        return cls(
            method=response.request.method,
            path=response.request.url.path,
            status=response.status_code,
            reason=response.reason_phrase,
            detail=detail,
            text=text,
            errors=errors,
            retry_after=_retry_after(response),
        )

    @property
    def summary(self) -> str:
        """What the server said, in one line: the problem's detail, else the body's start,
        else the reason phrase."""
        return self.detail or self.text or self.reason

    @property
    def said(self) -> str:
        """The problem's detail when the body is a problem, else only the reason phrase."""
        return self.detail or self.reason

    def expected_mutation(self) -> int | None:
        """The mutation id a 409 of ``/sync/push`` says the server expects next."""
        for error in self.errors:
            expected = error.get("expected")
            if isinstance(expected, int) and not isinstance(expected, bool) and expected >= 1:
                return expected
        return None


class ErrorMap(Protocol):
    """How one caller's users read each kind of failure (each returns the error to raise)."""

    def unreachable(self, url: str, error: httpx.HTTPError) -> Exception:
        """No answer from ``url``."""
        ...

    def sign_in_failed(self, error: KleioError) -> Exception:
        """The credential could not be produced (e.g. a refresh the provider refused)."""
        ...

    def refused(self, problem: Problem) -> Exception:
        """The server refused the credential (401 or 403)."""
        ...

    def failed(self, problem: Problem) -> Exception:
        """Any other answer than the expected ones."""
        ...

    def unreadable(self, response: httpx.Response, error: ValueError) -> Exception:
        """A success whose body is not the expected model."""
        ...


class ServerClient:
    """Requests to one Kleio server. ``server_url`` (no trailing slash) prefixes every path;
    without it paths are relative to ``http.base_url``. ``auth`` signs every request unless
    a request names its own (default: the ``httpx`` client's own auth)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        errors: ErrorMap,
        *,
        server_url: str | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.http = http
        self.errors = errors
        self.server_url = server_url.rstrip("/") if server_url is not None else None
        self.auth = auth

    def url(self, path: str) -> str:
        """The request URL of the API ``path`` (``/sync/push``)."""
        return (self.server_url or "") + API + path

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        json: Any = None,
        auth: httpx.Auth | None = None,
        expect: Container[int] | None = None,
    ) -> httpx.Response:
        """Send the request; return the answer if its status is in ``expect`` (default: any
        success), else raise what the ``ErrorMap`` makes of the failure."""
        url = self.url(path)
        signer = auth or self.auth
        try:
            response = await self.http.request(
                method,
                url,
                params=params,
                json=json,
                auth=signer if signer is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except KleioError as exc:  # from the auth flow (an AuthError): no refreshed sign-in
            raise self.errors.sign_in_failed(exc) from exc
        except httpx.HTTPError as exc:
            raise self.errors.unreachable(url, exc) from exc
        if expect is not None:
            if response.status_code in expect:
                return response
        elif not response.is_error:
            return response
        problem = Problem.of(response)
        if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            raise self.errors.refused(problem)
        raise self.errors.failed(problem)

    def read(
        self,
        response: httpx.Response,
        model: type[M],
        *,
        parse: Callable[[bytes], Any] | None = None,
    ) -> M:
        """The answer's body as ``model``; raises the ``ErrorMap``'s ``unreadable``. With
        ``parse`` (``orjson.loads``), the JSON is parsed by it and the model validates the
        Python values: several times faster for pages of free-form row data."""
        try:
            if parse is not None:
                return model.model_validate(parse(response.content))
            return model.model_validate_json(response.content)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise self.errors.unreadable(response, exc) from exc

    async def call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        params: dict[str, str | int] | None = None,
        json: Any = None,
        expect: Container[int] | None = None,
    ) -> M:
        """``send`` and ``read``: the answer as ``model``."""
        response = await self.send(method, path, params=params, json=json, expect=expect)
        return self.read(response, model)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value.isdigit():
        return None
    return min(float(value), MAX_RETRY_AFTER)
