"""ORM models, one module per area; importing this package registers every table."""

from kleio_server.models.base import Base
from kleio_server.models.catalogue import (
    Artist,
    CatalogueState,
    FormatDescription,
    Genre,
    Label,
    Release,
    ReleaseArtist,
    ReleaseFormat,
    ReleaseGenre,
    ReleaseLabel,
    ReleaseStyle,
    Style,
    StylusTemplate,
    Track,
)
from kleio_server.models.collection import CollectionItem, Folder, ReleaseStats
from kleio_server.models.confirmations import ReleaseConfirmation
from kleio_server.models.history import Cleaning, Play, Stylus
from kleio_server.models.release_basics import CatalogueViewer, ReleaseBasicSubmission
from kleio_server.models.snapshots import CollectionSnapshot, DiscogsAccount, SnapshotPage
from kleio_server.models.submissions import ReleaseSubmission
from kleio_server.models.sync import ChangeLogEntry, ClientState, RejectedMutation, UserSequence
from kleio_server.models.users import User
from kleio_server.models.web_sessions import WebSessionRenewal

__all__ = [
    "Artist",
    "Base",
    "CatalogueState",
    "CatalogueViewer",
    "ChangeLogEntry",
    "Cleaning",
    "ClientState",
    "CollectionItem",
    "CollectionSnapshot",
    "DiscogsAccount",
    "Folder",
    "FormatDescription",
    "Genre",
    "Label",
    "Play",
    "RejectedMutation",
    "Release",
    "ReleaseArtist",
    "ReleaseBasicSubmission",
    "ReleaseConfirmation",
    "ReleaseFormat",
    "ReleaseGenre",
    "ReleaseLabel",
    "ReleaseStats",
    "ReleaseStyle",
    "ReleaseSubmission",
    "SnapshotPage",
    "Style",
    "Stylus",
    "StylusTemplate",
    "Track",
    "User",
    "UserSequence",
    "WebSessionRenewal",
]
