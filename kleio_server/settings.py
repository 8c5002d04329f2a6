"""Server settings: one pydantic-settings class, environment prefix ``KLEIO_``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Self

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from kleio_server.kit.db import Timeouts

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
DRIVERS = frozenset({"postgresql+asyncpg", "sqlite+aiosqlite"})
MIN_SECRET_CHARS = 32


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLEIO_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("kleio-server")))
    database_url: str | None = None
    auth_mode: Literal["local", "oidc"] = "local"
    host: str = "127.0.0.1"
    port: int = 8000
    allow_remote: bool = False
    public_url: str | None = None

    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_client_id: str | None = None
    oidc_scopes: Annotated[list[str], NoDecode] = []
    oidc_roles_claim: str = "urn:zitadel:iam:org:project:roles"
    oidc_required_role: str | None = None
    # the web UI's confidential client (backend-for-frontend sign-in; redirect URI is
    # public_url + /auth/callback)
    oidc_web_client_id: str | None = None
    oidc_web_client_secret: SecretStr | None = None

    secret_key: SecretStr | None = None
    cors_origins: Annotated[list[str], NoDecode] = []
    log_level: str = "INFO"
    log_json: bool = True
    db_pool_size: int = 10
    # a database that accepts connections and never answers costs a request this long at
    # most (then 503); a statement running longer is cancelled
    db_connect_timeout: float = Field(default=5.0, gt=0)
    db_statement_timeout: float = Field(default=30.0, gt=0)
    discogs_api: str = "https://api.discogs.com"

    @model_validator(mode="before")
    @classmethod
    def _split_lists(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in ("oidc_scopes", "cors_origins"):
                if key in data:
                    data[key] = _split(data[key])
        return data

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.auth_mode == "oidc" and not (self.oidc_issuer and self.oidc_audience):
            raise ValueError("KLEIO_AUTH_MODE=oidc needs KLEIO_OIDC_ISSUER and KLEIO_OIDC_AUDIENCE")
        if self.oidc_web_client_id and self.oidc_web_client_secret is None:
            raise ValueError("KLEIO_OIDC_WEB_CLIENT_ID needs KLEIO_OIDC_WEB_CLIENT_SECRET")
        if self.database_url is not None:
            _check_database_url(self.database_url)
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) < (
            MIN_SECRET_CHARS
        ):
            raise ValueError(f"KLEIO_SECRET_KEY must be at least {MIN_SECRET_CHARS} characters")
        if self.auth_mode == "local" and self.host not in LOOPBACK_HOSTS and not self.allow_remote:
            raise ValueError(
                f"local mode binds to loopback only; refusing host {self.host!r} "
                "(set KLEIO_ALLOW_REMOTE=true to override)"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'kleio-server.db'}"

    @property
    def database_timeouts(self) -> Timeouts:
        return Timeouts(connect=self.db_connect_timeout, statement=self.db_statement_timeout)

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def resolved_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def _check_database_url(url: str) -> None:
    try:
        driver = make_url(url).drivername
    except ArgumentError:
        raise ValueError(
            "KLEIO_DATABASE_URL is not a database URL "
            "(e.g. postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE)"
        ) from None
    if driver not in DRIVERS:
        raise ValueError(
            f"KLEIO_DATABASE_URL names the driver {driver!r}; Kleio runs on "
            + " or ".join(f"{name}://" for name in sorted(DRIVERS))
        )
