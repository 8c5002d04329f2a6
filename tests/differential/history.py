"""Users' histories as Hypothesis draws them: releases, then steps of actions.

An action names what a collector does (log a play, clean, log both, edit, delete, restore,
styluses, archive, details arriving late, a re-import). It refers to earlier rows by a small
index (``pick``), resolved against the model when the step runs (``model.Model.resolve``),
so every drawn history is valid whatever came before and shrinks well. A step is a run of
actions with a ``route``: which write path each target sends them through (REST one at a
time, one sync push batch mixing releases, an import document, a predecessor database;
``*_paths`` of each target).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hypothesis import strategies as st

MAX_RELEASES = 4
DAYS = 300  # plays and cleanings fall in the last DAYS days (see model.Clock)

Route = Literal["rest", "push", "import", "legacy"]
ROUTES: tuple[Route, ...] = ("rest", "push", "push", "import", "legacy")
StylusChoice = Literal["none", "primary"] | int


@dataclass(frozen=True)
class FormatSpec:
    name: str
    qty: int
    descriptions: tuple[str, ...]


@dataclass(frozen=True)
class ReleaseSpec:
    """A release as Discogs has it: formats (for the estimate), genre, and its details
    (a tracklist of (position, seconds or None); may be empty), known from the first import
    when ``details_early``, else only once a ``DetailsArrive`` action brings them."""

    formats: tuple[FormatSpec, ...]
    tracks: tuple[tuple[str, int | None], ...]
    genre: str
    details_early: bool


# ---- actions (as drawn: references are picks, times are hour offsets) ----------------


@dataclass(frozen=True)
class LogPlay:
    release: int
    hour: int
    stylus: StylusChoice
    sides: int  # a bit mask over the release's sides; 0 = the whole record


@dataclass(frozen=True)
class LogBadSide:
    """A play naming a side the record does not have: refused, nothing stored."""

    release: int
    hour: int


@dataclass(frozen=True)
class LogCleaning:
    release: int
    hour: int
    deep: bool


@dataclass(frozen=True)
class LogBoth:
    release: int
    hour: int
    stylus: StylusChoice


@dataclass(frozen=True)
class EditPlay:
    pick: int
    release: int | None  # move it to another record (its sides are then cleared)
    hour: int | None
    sides: int | None  # new side mask (None: keep)


@dataclass(frozen=True)
class Delete:
    kind: Literal["play", "cleaning"]
    pick: int


@dataclass(frozen=True)
class Restore:
    kind: Literal["play", "cleaning"]
    pick: int


@dataclass(frozen=True)
class AddStylus:
    lifespan: int | None
    primary: bool


@dataclass(frozen=True)
class EditStylus:
    pick: int
    lifespan: int | None


@dataclass(frozen=True)
class MakePrimary:
    pick: int


@dataclass(frozen=True)
class DeleteStylus:
    pick: int


@dataclass(frozen=True)
class Archive:
    pick: int


@dataclass(frozen=True)
class Unarchive:
    pick: int


@dataclass(frozen=True)
class DetailsArrive:
    release: int


@dataclass(frozen=True)
class Reimport:
    """A complete Discogs import again; the releases in ``missing`` left the collection."""

    missing: frozenset[int]


Action = (
    LogPlay
    | LogBadSide
    | LogCleaning
    | LogBoth
    | EditPlay
    | Delete
    | Restore
    | AddStylus
    | EditStylus
    | MakePrimary
    | DeleteStylus
    | Archive
    | Unarchive
    | DetailsArrive
    | Reimport
)


@dataclass(frozen=True)
class Step:
    route: Route
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class History:
    releases: tuple[ReleaseSpec, ...]
    steps: tuple[Step, ...]


# ---- strategies ------------------------------------------------------------------------

_DESCRIPTIONS: tuple[tuple[str, ...], ...] = (
    ("LP", "Album"),
    ('12"', "33 ⅓ RPM"),
    ('12"', "45 RPM"),
    ('7"', "45 RPM"),
    ('7"', "EP"),
    ('7"', "33 RPM"),
    ('10"',),
    ('10"', "33 ⅓ RPM"),
    ("Album",),
    (),
)
formats = st.builds(
    FormatSpec,
    name=st.sampled_from(["Vinyl", "Vinyl", "Vinyl", "CD", "Shellac"]),
    qty=st.integers(0, 3),
    descriptions=st.sampled_from(_DESCRIPTIONS),
)
track_seconds = st.one_of(st.none(), st.just(0), st.integers(30, 1500))


@st.composite
def tracklists(draw: st.DrawFn) -> tuple[tuple[str, int | None], ...]:
    sides = draw(st.sampled_from(["A", "AB", "ABCD", "", "AB"]))
    count = draw(st.integers(0, 5))
    tracks = []
    for number in range(1, count + 1):
        side = draw(st.sampled_from(sides)) if sides else ""
        tracks.append((f"{side}{number}", draw(track_seconds)))
    return tuple(tracks)


releases = st.builds(
    ReleaseSpec,
    formats=st.lists(formats, max_size=2).map(tuple),
    tracks=tracklists(),
    genre=st.sampled_from(["Jazz", "Rock", "Funk / Soul"]),
    details_early=st.booleans(),
)

# few distinct hours, so that plays and cleanings often share an instant or a day
hours = st.builds(
    lambda day, hour: day * 24 + hour,
    st.one_of(st.integers(0, DAYS - 1), st.sampled_from([DAYS - 1, DAYS - 8, DAYS - 31])),
    st.sampled_from([8, 8, 20]),
)
picks = st.integers(0, 7)
stylus_choices: st.SearchStrategy[StylusChoice] = st.one_of(
    st.sampled_from(["none", "primary"]), st.integers(0, 3)
)


def actions(release_count: int) -> st.SearchStrategy[Action]:
    release = st.integers(0, release_count - 1)
    return st.one_of(
        st.builds(LogPlay, release, hours, stylus_choices, st.integers(0, 3)),
        st.builds(LogPlay, release, hours, stylus_choices, st.just(0)),
        st.builds(LogBadSide, release, hours),
        st.builds(LogCleaning, release, hours, st.booleans()),
        st.builds(LogBoth, release, hours, stylus_choices),
        st.builds(
            EditPlay,
            picks,
            st.one_of(st.none(), release),
            st.one_of(st.none(), hours),
            st.one_of(st.none(), st.integers(0, 3)),
        ),
        st.builds(Delete, st.sampled_from(["play", "cleaning"]), picks),
        st.builds(Restore, st.sampled_from(["play", "cleaning"]), picks),
        st.builds(AddStylus, st.one_of(st.none(), st.integers(1, 3)), st.booleans()),
        st.builds(EditStylus, picks, st.one_of(st.none(), st.integers(1, 3))),
        st.builds(MakePrimary, picks),
        st.builds(DeleteStylus, picks),
        st.builds(Archive, picks),
        st.builds(Unarchive, picks),
        st.builds(DetailsArrive, release),
        st.builds(Reimport, st.frozensets(release, max_size=release_count)),
    )


@st.composite
def histories(draw: st.DrawFn, max_steps: int = 12) -> History:
    specs = tuple(draw(st.lists(releases, min_size=1, max_size=MAX_RELEASES)))
    steps = draw(
        st.lists(
            st.builds(
                Step,
                st.sampled_from(ROUTES),
                st.lists(actions(len(specs)), min_size=1, max_size=5).map(tuple),
            ),
            min_size=1,
            max_size=max_steps,
        )
    )
    return History(specs, tuple(steps))
