"""Local single-user mode: the access key file and its checks."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kleio_server.auth.errors import AuthError, MissingTokenError
from kleio_server.auth.local import KEY_FILE_NAME, LOCAL_ISSUER, LOCAL_SUBJECT, LocalKey


def _key_of(local_key: LocalKey) -> str:
    return urlsplit(local_key.login_url("http://h")).fragment.removeprefix("key=")


def test_first_start_creates_a_private_key_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data" / "kleio"
    local_key = LocalKey.load_or_create(data_dir)
    key_file = data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == _key_of(local_key)
    assert len(_key_of(local_key)) >= 43  # secrets.token_urlsafe(32)
    assert sorted(path.name for path in data_dir.iterdir()) == [KEY_FILE_NAME]


def test_the_key_is_stable_across_restarts(tmp_path: Path) -> None:
    first = LocalKey.load_or_create(tmp_path)
    second = LocalKey.load_or_create(tmp_path)
    assert _key_of(first) == _key_of(second)
    assert second.verify(_key_of(first)).subject == LOCAL_SUBJECT


def test_different_data_dirs_get_different_keys(tmp_path: Path) -> None:
    a = LocalKey.load_or_create(tmp_path / "a")
    b = LocalKey.load_or_create(tmp_path / "b")
    assert _key_of(a) != _key_of(b)


def test_an_existing_key_file_is_used_as_is(tmp_path: Path) -> None:
    chosen = "k" * 40
    (tmp_path / KEY_FILE_NAME).write_text(chosen + "\n")
    (tmp_path / KEY_FILE_NAME).chmod(0o600)
    local_key = LocalKey.load_or_create(tmp_path)
    assert local_key.verify(chosen).issuer == LOCAL_ISSUER
    assert (tmp_path / KEY_FILE_NAME).read_text() == chosen + "\n"


def test_a_world_readable_key_file_is_made_private(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    (tmp_path / KEY_FILE_NAME).write_text("k" * 40)
    (tmp_path / KEY_FILE_NAME).chmod(0o644)
    LocalKey.load_or_create(tmp_path)
    assert (tmp_path / KEY_FILE_NAME).stat().st_mode & 0o777 == 0o600
    assert "made" in caplog.text and "private (mode 600, was 644)" in caplog.text
    assert "k" * 40 not in caplog.text


def test_a_truncated_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE_NAME).write_text("short\n")
    with pytest.raises(ValueError, match="too short"):
        LocalKey.load_or_create(tmp_path)


def test_the_right_key_is_the_local_user(tmp_path: Path) -> None:
    local_key = LocalKey.load_or_create(tmp_path)
    principal = local_key.verify(_key_of(local_key))
    assert (principal.issuer, principal.subject) == (LOCAL_ISSUER, LOCAL_SUBJECT)
    assert principal.expires_at is None
    assert principal.roles == frozenset()


@pytest.mark.parametrize(
    "mangle", [str.upper, lambda k: k[:-1], lambda k: k + "x", lambda _: "ä" * 43]
)
def test_a_wrong_key_is_rejected(tmp_path: Path, mangle: Callable[[str], str]) -> None:
    local_key = LocalKey.load_or_create(tmp_path)
    presented = mangle(_key_of(local_key))
    with pytest.raises(AuthError) as caught:
        local_key.verify(presented)
    assert (caught.value.error, caught.value.description) == ("invalid_token", "bad access key")


def test_no_key_is_a_missing_token(tmp_path: Path) -> None:
    with pytest.raises(MissingTokenError):
        LocalKey.load_or_create(tmp_path).verify("")


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:8000", "http://127.0.0.1:8000/"])
def test_the_login_url_carries_the_key_in_the_fragment(tmp_path: Path, public_url: str) -> None:
    local_key = LocalKey.load_or_create(tmp_path)
    key = (tmp_path / KEY_FILE_NAME).read_text().strip()
    url = local_key.login_url(public_url)
    assert url == f"http://127.0.0.1:8000/login#key={key}"
    parts = urlsplit(url)
    assert (parts.path, parts.query) == ("/login", "")


def test_repr_does_not_reveal_the_key(tmp_path: Path) -> None:
    local_key = LocalKey.load_or_create(tmp_path)
    assert _key_of(local_key) not in repr(local_key)
