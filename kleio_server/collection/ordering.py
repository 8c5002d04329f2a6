"""The collection sorts of ``shared.domain.sorting`` as SQL ORDER BY clauses.

The domain module is the rule; these clauses reproduce it in the database so a page of 100
is read without loading the whole collection (a test compares both on random collections).
Sort keys are stored casefolded and compared by code point (``COLLATE "C"`` on
PostgreSQL, SQLite's default BINARY), as Python compares strings. Release keys are the ones
the user sees (``catalogue.columns``: their own uploaded listing, else the shared row), so a
query using them joins the user's submission.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal
from sqlalchemy.sql.elements import UnaryExpression

from kleio_server.catalogue.columns import SORT_ARTIST, SORT_GENRE, SORT_TITLE, YEAR
from kleio_server.models import CollectionItem, ReleaseStats
from shared.domain.sorting import RECENTLY_PLAYED_WINDOW, SortKey
from shared.domain.status import CLEANING_PLAYS_DIVISOR

_NATURALLY_DESCENDING = {"last_played", "needs_cleaning", "recently_played", "most_played", "added"}


def _text(column: Any, dialect: str) -> Any:
    return column.collate("C") if dialect == "postgresql" else column


def cleanliness_score() -> ColumnElement[float]:
    since = func.coalesce(ReleaseStats.plays_since_cleaning, 0)
    return case(
        (ReleaseStats.last_cleaned_at.is_(None), literal(100.0)),
        (since >= CLEANING_PLAYS_DIVISOR, literal(100.0)),
        else_=since * 100.0 / CLEANING_PLAYS_DIVISOR,
    )


def _value_and_missing(key: SortKey, dialect: str) -> tuple[Any, Any]:
    """The sort value and a boolean 'value is missing' expression (missing sorts last)."""
    if key == "album":
        return _text(SORT_TITLE, dialect), None
    if key == "artist":
        return _text(SORT_ARTIST, dialect), func.coalesce(SORT_ARTIST, "") == ""
    if key == "genre":
        return _text(SORT_GENRE, dialect), func.coalesce(SORT_GENRE, "") == ""
    if key == "year":
        return YEAR, func.coalesce(YEAR, 0) == 0
    if key in ("last_played", "recently_played"):
        return ReleaseStats.last_played_at, ReleaseStats.last_played_at.is_(None)
    if key == "longest_unplayed":  # never played is "the distant past", never missing
        return ReleaseStats.last_played_at, None
    if key == "needs_cleaning":
        return cleanliness_score(), None
    if key == "most_played":
        return func.coalesce(ReleaseStats.plays, 0), None
    if key == "added":
        return CollectionItem.added_at, CollectionItem.added_at.is_(None)
    raise ValueError(f"unknown sort {key!r}")


def order_by(key: SortKey, descending: bool | None, dialect: str) -> list[Any]:
    value, missing = _value_and_missing(key, dialect)
    reverse = (key in _NATURALLY_DESCENDING) if descending is None else descending
    clauses: list[Any] = []
    if missing is not None:
        clauses.append(case((missing, 1), else_=0))
    if key == "longest_unplayed":
        # never played sorts as the smallest value: first ascending, last descending
        played = case((value.is_(None), 0), else_=1)
        clauses.append(played.desc() if reverse else played.asc())
    direction: UnaryExpression[Any] = value.desc() if reverse else value.asc()
    clauses.append(direction)
    clauses.append(_text(SORT_TITLE, dialect).asc())
    clauses.append(CollectionItem.instance_id.asc())
    return clauses


def recently_played_since(now: dt.datetime) -> dt.datetime:
    return now - RECENTLY_PLAYED_WINDOW
