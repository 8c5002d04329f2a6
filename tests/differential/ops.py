"""What a step does, with concrete values: the ops ``model.Model.resolve`` makes of drawn
actions, which the model records and every target sends through its paths."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class NewPlay:
    play_id: uuid.UUID
    release: int
    at: dt.datetime
    stylus_id: uuid.UUID | None
    sides: tuple[str, ...] | None
    default_stylus: bool  # "the primary", as a client that leaves the stylus out


@dataclass(frozen=True)
class RefusedPlay:
    """A play naming ``side``, which its record does not have: every path refuses it."""

    play_id: uuid.UUID
    release: int
    at: dt.datetime
    side: str


@dataclass(frozen=True)
class NewCleaning:
    cleaning_id: uuid.UUID
    release: int
    at: dt.datetime
    deep: bool


@dataclass(frozen=True)
class Both:
    cleaning_id: uuid.UUID
    play_id: uuid.UUID
    release: int
    at: dt.datetime
    stylus_id: uuid.UUID | None
    default_stylus: bool


@dataclass(frozen=True)
class PlayEdit:
    play_id: uuid.UUID
    release: int | None
    at: dt.datetime | None
    sides: tuple[str, ...] | None
    clear_sides: bool


@dataclass(frozen=True)
class Removal:
    kind: Literal["play", "cleaning"]
    row_id: uuid.UUID


@dataclass(frozen=True)
class Revival:
    kind: Literal["play", "cleaning"]
    row_id: uuid.UUID


@dataclass(frozen=True)
class NewStylus:
    stylus_id: uuid.UUID
    lifespan: int | None
    primary: bool
    demoted: uuid.UUID | None  # the primary it replaces (a device writes that too)


@dataclass(frozen=True)
class StylusLifespan:
    stylus_id: uuid.UUID
    lifespan: int | None


@dataclass(frozen=True)
class StylusPrimary:
    stylus_id: uuid.UUID
    demoted: uuid.UUID | None


@dataclass(frozen=True)
class StylusRemoval:
    stylus_id: uuid.UUID
    unlinked: tuple[uuid.UUID, ...]  # its plays, which lose the link


@dataclass(frozen=True)
class ItemArchive:
    release: int
    at: dt.datetime


@dataclass(frozen=True)
class ItemRestore:
    release: int


@dataclass(frozen=True)
class Details:
    release: int


@dataclass(frozen=True)
class Import:
    present: frozenset[int]


Op = (
    NewPlay
    | RefusedPlay
    | NewCleaning
    | Both
    | PlayEdit
    | Removal
    | Revival
    | NewStylus
    | StylusLifespan
    | StylusPrimary
    | StylusRemoval
    | ItemArchive
    | ItemRestore
    | Details
    | Import
)
