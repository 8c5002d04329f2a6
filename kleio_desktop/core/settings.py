"""Desktop settings: one pydantic-settings class, prefix ``KLEIO_`` (ARCHITECTURE §7)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "kleio"


class DesktopSettings(BaseSettings):
    """``KLEIO_HOME`` picks the data directory, so two "devices" can run on one machine."""

    model_config = SettingsConfigDict(env_prefix="KLEIO_", extra="ignore")

    home: Path | None = None

    @property
    def data_dir(self) -> Path:
        if self.home is not None:
            return self.home.expanduser()
        return Path(platformdirs.user_data_dir(APP_NAME))
