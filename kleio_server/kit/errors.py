"""The server's one error tree, rendered as ``application/problem+json`` (RFC 9457) by one
handler (``kit.problems``)::

    KleioError                      (4xx/5xx with a stable ``type``)
    ├── NotFound                    404 — also for another user's object: never reveal it exists
    ├── Conflict                    409 — a business rule forbids it (e.g. import already running)
    ├── BadRequest                  400 — well-formed but unusable input
    │   └── InvalidField            422 — one field is wrong (with ``errors`` details)
    ├── Unauthorized                401 — with a ``WWW-Authenticate`` header
    ├── Forbidden                   403
    ├── ServiceUnavailable          503 — a dependency (database, issuer) is down
    └── AuthError                   401, RFC 6750 error="invalid_token"/"invalid_request", with
        │                           its ``WWW-Authenticate`` challenge (kleio_server.auth.errors)
        ├── MissingTokenError       401, no credentials at all: the challenge carries no error
        ├── InsufficientScopeError  403, error="insufficient_scope": valid caller, role missing
        └── IssuerUnavailable       503, the identity provider's discovery or JWKS could not be
                                    fetched; the caller's token may well be fine (no challenge)

A request body over its cap is answered 413 by the one body-limit mechanism,
``kit.bodylimit`` (routes declare a larger cap with ``max_body_size=``).
"""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://kleio.app/problems/"


class KleioError(Exception):
    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        return problem(self.status, self.slug, self.title, self.detail, self.errors, instance)


class NotFound(KleioError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(KleioError):
    status, slug, title = 409, "conflict", "Conflict"


class BadRequest(KleioError):
    status, slug, title = 400, "bad-request", "Bad request"


class InvalidField(BadRequest):
    status, slug, title = 422, "validation", "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"loc": field.split("."), "msg": message}])


class Unauthorized(KleioError):
    status, slug, title = 401, "unauthorized", "Not signed in"


class Forbidden(KleioError):
    status, slug, title = 403, "forbidden", "Forbidden"


class ServiceUnavailable(KleioError):
    status, slug, title = 503, "unavailable", "Service unavailable"


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if instance:
        body["instance"] = instance
    return body
