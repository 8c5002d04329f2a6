"""The desktop's one error tree, and ``user_message``: the one place an error becomes the
sentence a user reads (the CLI prints it after ``kleio:``; the app shows it in a toast or a
dialog). Every failure the desktop reports on purpose is a ``KleioError``; its ``str()`` is
written for people, so ``user_message`` mostly returns it as is.

::

    KleioError                          kleio_desktop.core.errors (this module) unless noted
    ├── InvalidInput                    bad values from the user (naive times, bad sides…)
    │   ├── NoSuchSide                  a side the record does not have (the CLI: usage error)
    │   └── NotALegacyFile              not a readable predecessor database (import-legacy)
    ├── NotFound                        an id that is not in the local store (or is deleted)
    │   ├── ReleaseNotFound
    │   ├── CollectionItemNotFound
    │   ├── PlayNotFound
    │   ├── CleaningNotFound
    │   └── StylusNotFound
    ├── NoMatch                         a title query that names no record of the collection
    ├── Conflict                        a request that contradicts the current state
    │   └── ImportRunning               this device runs a Discogs import already
    ├── StoreError                      the local database cannot be opened or migrated
    ├── AuthError                       core.auth.errors: sign-in and the token stores
    │   ├── SignInRequired              no usable credential: `kleio login` again
    │   ├── NoKeyringAvailable          no OS keyring; KLEIO_TOKEN_STORE=file is the way out
    │   ├── TokenStoreError             the credential store is unreadable or misconfigured
    │   ├── ServerAuthConfigError       the server's /api/v1/auth/config is missing or bad
    │   ├── DiscoveryError              the issuer's discovery document is missing or bad
    │   ├── AuthorizationError          the authorization response carried an error
    │   ├── CallbackError               the loopback callback was wrong (state, issuer, code)
    │   ├── SignInTimeoutError          the browser never came back to the loopback listener
    │   ├── TokenEndpointError          the token/revocation endpoint refused or made no sense
    │   └── IDTokenError                the ID token failed validation
    ├── SyncError                       core.sync.errors: the sync engine
    │   ├── ServerUnreachable           no answer: connection refused, timeout, DNS, TLS
    │   ├── SyncAuthError               the server refused the credential (401/403, 4401/4403)
    │   │   └── NotSignedIn             core.sync.connect: no server signed in to yet
    │   ├── MutationGap                 push answered 409: an earlier mutation id expected
    │   ├── ServerError                 any other error answer, or a reply we cannot read
    │   └── SocketClosed                the WebSocket ended (close code and reason)
    └── UploadError                     core.discogs.upload: the server refused an upload

Two families come from outside the desktop and are mapped here too, by name, without being
imported (``kleio --help`` must not load them): ``shared.discogs.errors.DiscogsError`` (the
Discogs client, shared with the server: BadToken, NotFound, RateLimited, Unavailable,
UnexpectedResponse, ImportInterrupted) and pydantic's ``ValidationError`` (said field by
field in words, never as a ``loc`` path). ``OSError`` becomes its reason and file name.
Anything else is a bug: one fixed sentence naming its type (``KLEIO_DEBUG=1`` makes the
CLI show the traceback).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class KleioError(Exception):
    """Base of every error the desktop core raises deliberately; ``str()`` is for people."""


class InvalidInput(KleioError):
    pass


class NoSuchSide(InvalidInput):
    """A play names sides its record does not have; ``available`` are the ones it has."""

    def __init__(self, release_id: int, wrong: list[str], available: list[str]) -> None:
        from shared.domain.sides import describe_sides  # pydantic: not for `kleio --help`

        super().__init__(
            f"release {release_id} has no side {' or '.join(wrong)}; "
            f"its sides are {describe_sides(available)}"
        )
        self.release_id = release_id
        self.wrong = wrong
        self.available = available


class NotALegacyFile(InvalidInput):
    """The file given to ``kleio import-legacy`` is not a readable predecessor database;
    the message says which file and why. Nothing was imported."""


class NotFound(KleioError):
    kind: ClassVar[str] = "record"

    def __init__(self, identifier: object) -> None:
        super().__init__(f"no {self.kind} with id {identifier} in the local store")
        self.identifier = identifier


class ReleaseNotFound(NotFound):
    kind = "release"


class CollectionItemNotFound(NotFound):
    kind = "collection item"


class PlayNotFound(NotFound):
    kind = "play"


class CleaningNotFound(NotFound):
    kind = "cleaning"


class StylusNotFound(NotFound):
    kind = "stylus"


class NoMatch(KleioError):
    """A title query that matches no record; ``query`` is what was asked."""

    def __init__(self, query: str) -> None:
        super().__init__(
            f"no record matches {query!r}; `kleio ls` lists the collection, "
            "`kleio ls QUERY` searches it"
        )
        self.query = query


class Conflict(KleioError):
    pass


class ImportRunning(Conflict):
    """Another Discogs import holds this device's import lock."""


class StoreError(KleioError):
    pass


def user_message(error: BaseException) -> str:
    """The sentence a user reads for ``error`` (the CLI prints it after ``kleio:``, the app
    shows it in a toast or dialog). Never a traceback or an internal field path."""
    if isinstance(error, KleioError):
        return str(error)
    discogs = sys.modules.get("shared.discogs.errors")
    if discogs is not None and isinstance(error, discogs.DiscogsError):
        return _discogs_message(error, discogs)
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(error, pydantic.ValidationError):
        return "invalid input: " + describe_problems(error.errors())
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}"
    name = type(error).__name__
    return f"something went wrong inside Kleio ({name}); KLEIO_DEBUG=1 shows the details"


def _discogs_message(error: BaseException, discogs: Any) -> str:
    if isinstance(error, discogs.BadToken):
        return f"Discogs rejected the token ({error}); run `kleio discogs token set`"
    if isinstance(error, discogs.RateLimited):
        return f"Discogs is limiting requests ({error}); try again in a minute"
    if isinstance(error, discogs.Unavailable):
        return f"Discogs is not answering ({error}); try again later"
    if isinstance(error, discogs.ImportInterrupted):
        return "the Discogs import stopped; `kleio discogs import` resumes it"
    return f"Discogs: {error}"


def describe_problems(errors: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's error list in words: ``lifespan hours: must be at least 1``, with a
    position as "the 3rd play" rather than a ``("plays", 2, "played_at")`` path."""
    parts = []
    for problem in errors:
        where = _place(tuple(problem.get("loc", ())))
        message = _plain(str(problem.get("msg", "is not valid")))
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(dict.fromkeys(parts)) or "the input is not valid"


def _place(loc: tuple[object, ...]) -> str:
    words: list[str] = []
    pending: str | None = None  # a list's name, waiting for its index
    for part in loc:
        if isinstance(part, int):
            noun = (pending or "item").removesuffix("es" if pending == "styluses" else "s")
            words.append(f"{noun} {part + 1}")
            pending = None
            continue
        if pending is not None:
            words.append(pending)
        text = str(part)
        if text in _PYDANTIC_TAGS or text.startswith(("function-", "constrained-")):
            pending = None
            continue
        pending = text.replace("_", " ")
    if pending is not None:
        words.append(pending)
    return ", ".join(words)


_PYDANTIC_TAGS = frozenset(
    {"str", "int", "float", "bool", "list", "dict", "date", "datetime", "uuid", "none"}
)


def _plain(message: str) -> str:
    """Pydantic's "Input should be …" / "Value error, …" as a plain clause."""
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    message = message.replace("Input should be", "must be").replace("input should be", "must be")
    return message[:1].lower() + message[1:]
