"""The release catalogue shared by all users (public Discogs data, cached once).

A release row holds only what the server fetched from Discogs itself or what an operator
imported; what users upload lives in their own submissions (``models.release_basics``,
``models.submissions``), seen by the uploader alone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kleio_server.models.base import Base, UTCDateTime


class Release(Base):
    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(500))
    year: Mapped[int | None] = mapped_column(Integer)
    thumb_url: Mapped[str] = mapped_column(Text, default="")
    cover_url: Mapped[str] = mapped_column(Text, default="")
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    duration_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    has_tracklist: Mapped[bool] = mapped_column(Boolean, default=False)
    # the release's details (GET /releases/{id}) are here, even when Discogs lists no track
    has_details: Mapped[bool] = mapped_column(Boolean, default=False)
    # sha256 of the basic information held here (``catalogue.basic.basic_hash``): a user's
    # own upload with the same hash needs no overlay. NULL on rows older than the column.
    basic_hash: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # bumped by every save, so process-local caches of assembled releases stay correct
    version: Mapped[int] = mapped_column(Integer, default=1)
    # denormalised sort keys (casefolded), written with the release
    sort_title: Mapped[str] = mapped_column(String(500), default="")
    sort_artist: Mapped[str] = mapped_column(String(500), default="")
    sort_genre: Mapped[str] = mapped_column(String(200), default="")

    artists: Mapped[list[ReleaseArtist]] = relationship(
        lazy="raise", order_by="ReleaseArtist.position", cascade="all, delete-orphan"
    )
    labels: Mapped[list[ReleaseLabel]] = relationship(
        lazy="raise", order_by="ReleaseLabel.position", cascade="all, delete-orphan"
    )
    formats: Mapped[list[ReleaseFormat]] = relationship(
        lazy="raise", order_by="ReleaseFormat.position", cascade="all, delete-orphan"
    )
    genres: Mapped[list[ReleaseGenre]] = relationship(
        lazy="raise", order_by="ReleaseGenre.position", cascade="all, delete-orphan"
    )
    styles: Mapped[list[ReleaseStyle]] = relationship(
        lazy="raise", order_by="ReleaseStyle.position", cascade="all, delete-orphan"
    )
    tracks: Mapped[list[Track]] = relationship(
        lazy="raise", order_by="Track.position_index", cascade="all, delete-orphan"
    )


class Artist(Base):
    __tablename__ = "artists"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(300))


class ReleaseArtist(Base):
    __tablename__ = "release_artists"
    __table_args__ = (PrimaryKeyConstraint("release_id", "position"),)

    release_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("releases.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    artist_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("artists.id"))
    name: Mapped[str] = mapped_column(String(300))
    anv: Mapped[str] = mapped_column(String(300), default="")
    join: Mapped[str] = mapped_column(String(50), default="")
    role: Mapped[str] = mapped_column(String(200), default="")


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(300))


class ReleaseLabel(Base):
    __tablename__ = "release_labels"
    __table_args__ = (PrimaryKeyConstraint("release_id", "position"),)

    release_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("releases.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    label_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("labels.id"))
    name: Mapped[str] = mapped_column(String(300))
    catno: Mapped[str] = mapped_column(String(200), default="")


class ReleaseFormat(Base):
    __tablename__ = "release_formats"
    __table_args__ = (PrimaryKeyConstraint("release_id", "position"),)

    release_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("releases.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    qty: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(String(200), default="")
    descriptions: Mapped[list[FormatDescription]] = relationship(
        lazy="raise", order_by="FormatDescription.idx", cascade="all, delete-orphan"
    )


class FormatDescription(Base):
    __tablename__ = "format_descriptions"
    __table_args__ = (
        PrimaryKeyConstraint("release_id", "format_position", "idx"),
        ForeignKeyConstraint(
            ["release_id", "format_position"],
            ["release_formats.release_id", "release_formats.position"],
            ondelete="CASCADE",
        ),
    )

    release_id: Mapped[int] = mapped_column(BigInteger)
    format_position: Mapped[int] = mapped_column(Integer)
    idx: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))


class Genre(Base):
    __tablename__ = "genres"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class ReleaseGenre(Base):
    __tablename__ = "release_genres"
    __table_args__ = (PrimaryKeyConstraint("release_id", "position"),)

    release_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("releases.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    genre_id: Mapped[int] = mapped_column(Integer, ForeignKey("genres.id"))
    genre: Mapped[Genre] = relationship(lazy="raise")


class Style(Base):
    __tablename__ = "styles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class ReleaseStyle(Base):
    __tablename__ = "release_styles"
    __table_args__ = (PrimaryKeyConstraint("release_id", "position"),)

    release_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("releases.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    style_id: Mapped[int] = mapped_column(Integer, ForeignKey("styles.id"))
    style: Mapped[Style] = relationship(lazy="raise")


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (PrimaryKeyConstraint("release_id", "position_index"),)

    release_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("releases.id", ondelete="CASCADE")
    )
    position_index: Mapped[int] = mapped_column(Integer)
    position: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    duration_text: Mapped[str] = mapped_column(String(200), default="")
    seconds: Mapped[int | None] = mapped_column(Integer)


class StylusTemplate(Base):
    __tablename__ = "stylus_templates"
    __table_args__ = (UniqueConstraint("manufacturer", "model", name="manufacturer_model"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manufacturer: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    lifespan_hours: Mapped[int] = mapped_column(Integer)


class CatalogueState(Base):
    """One row: a counter bumped by every catalogue write, so caches of anything derived
    from release data (sort keys, summaries) can tell they are stale."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
