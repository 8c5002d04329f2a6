"""Errors of the Discogs client and importer.

::

    DiscogsError
    ├── BadToken            401: the token is missing, wrong or revoked
    ├── NotFound            404: no such release / user / folder
    ├── RateLimited         429 still after the limiter's bounded retries
    ├── Unavailable         5xx or a dropped connection still after bounded retries
    ├── UnexpectedResponse  any other status, or a body that is not the documented shape
    └── ImportInterrupted   an import stopped early; its checkpoint lets it resume

Messages never contain the token. The leaves are named for what happened (as httpx names
its ``TimeoutException`` tree), hence the N818 exemptions.
"""

from __future__ import annotations


class DiscogsError(Exception):
    """Anything that went wrong talking to Discogs."""

    def __init__(self, message: str, *, status: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.path = path


class BadToken(DiscogsError):
    """Discogs refused the personal access token (401)."""


class NotFound(DiscogsError):
    """The resource does not exist (404)."""


class RateLimited(DiscogsError):
    """Discogs kept answering 429 after the bounded retries."""


class Unavailable(DiscogsError):
    """Discogs kept failing (5xx, timeouts, dropped connections) after the bounded retries."""


class UnexpectedResponse(DiscogsError):
    """A status or body the client does not know how to read."""


class ImportInterrupted(DiscogsError):
    """An import stopped before it finished (asked to stop); it resumes from its checkpoint."""
