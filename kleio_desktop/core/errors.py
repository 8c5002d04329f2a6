"""The desktop core's one error tree; the CLI and the GUI map these to messages in one place.

::

    KleioError                      every failure the core reports on purpose
    ├── InvalidInput                bad values from the user (naive times, bad sides, long notes…)
    │   └── NoSuchSide              a side the record does not have (the CLI: a usage error)
    ├── NotFound                    an id that is not in the local store (or is deleted)
    │   ├── ReleaseNotFound
    │   ├── CollectionItemNotFound
    │   ├── PlayNotFound
    │   ├── CleaningNotFound
    │   └── StylusNotFound
    ├── Conflict                    a request that contradicts the current state
    │   └── ImportRunning           this device runs a Discogs import already
    └── StoreError                  the local database cannot be opened or migrated
"""

from __future__ import annotations

from typing import ClassVar

from shared.domain.sides import describe_sides


class KleioError(Exception):
    """Base of every error the desktop core raises deliberately; ``str()`` is for people."""


class InvalidInput(KleioError):
    pass


class NoSuchSide(InvalidInput):
    """A play names sides its record does not have; ``available`` are the ones it has."""

    def __init__(self, release_id: int, wrong: list[str], available: list[str]) -> None:
        super().__init__(
            f"release {release_id} has no side {' or '.join(wrong)}; "
            f"its sides are {describe_sides(available)}"
        )
        self.release_id = release_id
        self.wrong = wrong
        self.available = available


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
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}"
    return "something went wrong inside Kleio; the details are in the log"
