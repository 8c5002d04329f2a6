"""Settings kept on this device, in its store (``device_settings``): ``desktop.settings``.

- ``time_zone``: the zone days are counted in (default: the system's); sent to the server's
  ``/me`` when signed in, so the web counts the same days.
- ``remembered_folder``: the Discogs folder the collection view opens on (None: all).
- ``last_import``: when the last Discogs import finished and how (``ImportRecord``).
- ``user_id``: the signed-in user's id on the server, so the record of the day is the same
  on every device and the web for one user and day.

``get(key)`` / ``set(key, value)`` take any JSON value; the typed accessors check theirs.
A write is one store transaction and is announced as ``Changes(settings=True)``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.import_record import ImportRecord
from kleio_desktop.core.queries.zones import system_zone_name, zone
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import DeviceSettingRow

TIME_ZONE = "time_zone"
REMEMBERED_FOLDER = "remembered_folder"
LAST_IMPORT = "last_import"
USER_ID = "user_id"


def _unwrap(stored: Any, default: Any) -> Any:
    """Values are kept as ``{"value": ...}``: a bare number or string in a JSON column would
    come back from SQLite's numeric affinity as something JSON cannot read."""
    return stored.get("value", default) if isinstance(stored, dict) else default


class DeviceSettings:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, key: str, default: Any = None) -> Any:
        async with self._store.read() as session:
            row = await session.get(DeviceSettingRow, key)
            return default if row is None else _unwrap(row.value, default)

    async def set(self, key: str, value: Any) -> Changes:
        """Store ``value`` (JSON) under ``key``; None removes the key."""
        if not key or len(key) > 64:
            raise InvalidInput("a setting's name is 1 to 64 characters")
        async with self._store.write() as tx:
            row = await tx.session.get(DeviceSettingRow, key)
            if value is None:
                if row is not None:
                    await tx.session.delete(row)
            elif row is None:
                tx.session.add(DeviceSettingRow(key=key, value={"value": value}))
            else:
                row.value = {"value": value}
            tx.touch(Changes(settings=True))
            return tx.changes

    async def all(self) -> dict[str, Any]:
        async with self._store.read() as session:
            rows = await session.scalars(select(DeviceSettingRow))
            return {row.key: _unwrap(row.value, None) for row in rows}

    # ---- typed --------------------------------------------------------------------------

    async def time_zone(self) -> str:
        """The chosen zone, else the system's."""
        chosen = await self.get(TIME_ZONE)
        return chosen if isinstance(chosen, str) else system_zone_name()

    async def set_time_zone(self, name: str | None) -> Changes:
        """An IANA name (``InvalidInput`` otherwise); None goes back to the system's zone."""
        if name is not None:
            name, _ = zone(name)
        return await self.set(TIME_ZONE, name)

    async def remembered_folder(self) -> int | None:
        value = await self.get(REMEMBERED_FOLDER)
        return value if isinstance(value, int) else None

    async def set_remembered_folder(self, folder_id: int | None) -> Changes:
        if folder_id is not None and folder_id < 0:
            raise InvalidInput("a folder id is 0 or more")
        return await self.set(REMEMBERED_FOLDER, folder_id)

    async def last_import(self) -> ImportRecord | None:
        value = await self.get(LAST_IMPORT)
        return ImportRecord.from_json(value) if isinstance(value, dict) else None

    async def set_last_import(self, record: ImportRecord) -> Changes:
        return await self.set(LAST_IMPORT, record.to_json())

    async def user_id(self) -> uuid.UUID | None:
        value = await self.get(USER_ID)
        return uuid.UUID(value) if isinstance(value, str) else None

    async def set_user_id(self, user_id: uuid.UUID | None) -> Changes:
        return await self.set(USER_ID, None if user_id is None else str(user_id))
