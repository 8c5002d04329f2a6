"""Where the Discogs client sends requests and how it names itself."""

from __future__ import annotations

from importlib import metadata

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API = "https://api.discogs.com"
PROJECT_URL = "https://github.com/kleio-vinyl/kleio"


def kleio_version() -> str:
    try:
        return metadata.version("kleio")
    except metadata.PackageNotFoundError:
        return "0"


def user_agent(version: str | None = None, url: str = PROJECT_URL) -> str:
    """``Kleio/<version> +<project URL>``, as Discogs asks every client to identify itself."""
    return f"Kleio/{version or kleio_version()} +{url}"


class DiscogsSettings(BaseSettings):
    """``KLEIO_DISCOGS_API`` points the client at another server (the test fake)."""

    model_config = SettingsConfigDict(env_prefix="KLEIO_DISCOGS_", extra="ignore")

    api: str = DEFAULT_API
