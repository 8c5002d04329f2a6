"""What one user sees of a release's basic information, as SQL expressions.

A query joins ``OWN`` (the user's own uploaded listing) next to ``Release`` with ``own_join``;
each expression below is then the user's own value where they have a submission, else the
shared row's. Where the two agree the values are equal anyway, so no hash is compared here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case

from kleio_server.models import Release, ReleaseBasicSubmission

OWN = ReleaseBasicSubmission
HAS_OWN = OWN.release_id.is_not(None)


def own_join(user_column: Any, release_column: Any) -> ColumnElement[bool]:
    """The ON clause joining the submission of this user for this release."""
    return and_(OWN.user_id == user_column, OWN.release_id == release_column)


def _seen(own: Any, shared: Any) -> Any:
    return case((HAS_OWN, own), else_=shared)


TITLE = _seen(OWN.title, Release.title)
YEAR = _seen(OWN.year, Release.year)
SORT_TITLE = _seen(OWN.sort_title, Release.sort_title)
SORT_ARTIST = _seen(OWN.sort_artist, Release.sort_artist)
SORT_GENRE = _seen(OWN.sort_genre, Release.sort_genre)
