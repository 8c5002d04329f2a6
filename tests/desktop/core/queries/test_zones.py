"""The device's zone: TZ, else what /etc/localtime links to, else UTC."""

from __future__ import annotations

from pathlib import Path

import pytest

from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.queries.zones import system_zone_name, zone


def test_tz_names_the_zone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TZ", ":Asia/Tokyo")
    assert system_zone_name(tmp_path / "missing") == "Asia/Tokyo"


def test_else_the_zone_localtime_links_to(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TZ", "not a zone")
    target = tmp_path / "usr/share/zoneinfo/America/Los_Angeles"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"")
    link = tmp_path / "localtime"
    link.symlink_to(target)
    assert system_zone_name(link) == "America/Los_Angeles"
    assert system_zone_name(tmp_path / "missing") == "UTC"


def test_an_unknown_zone_is_invalid_input() -> None:
    assert zone("Europe/Paris")[0] == "Europe/Paris"
    for name in ("America", "Mars/Olympus", "../etc", ""):
        with pytest.raises(InvalidInput, match="unknown time zone"):
            zone(name)
