"""The Discogs token at rest (keyring or 0600 file) and its check against Discogs."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import keyring.backend
import keyring.errors
import pytest

from kleio_desktop.core.auth.errors import TokenStoreError
from kleio_desktop.core.discogs import (
    DiscogsToken,
    DiscogsTokenStore,
    FileDiscogsTokenStore,
    KeyringDiscogsTokenStore,
    check_token,
    discogs_token_store_from_env,
)
from shared.discogs import BadToken, ScaledClock
from tests.fakes.discogs import FakeDiscogs, make_collection, serve

from .support import TOKEN

SECRET = "s3cret-discogs-token"


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture(params=["keyring", "file"])
def token_store(request: pytest.FixtureRequest, tmp_path: Path) -> DiscogsTokenStore:
    if request.param == "keyring":
        return KeyringDiscogsTokenStore(MemoryKeyring())
    return FileDiscogsTokenStore(tmp_path)


def test_a_token_round_trips_and_clears(token_store: DiscogsTokenStore) -> None:
    assert token_store.load() is None
    token_store.save(DiscogsToken(token=SECRET, username="collector"))
    assert token_store.load() == DiscogsToken(token=SECRET, username="collector")
    assert token_store.clear() is True
    assert token_store.load() is None
    assert token_store.clear() is False


def test_the_keyring_entry_is_apart_from_the_server_sign_in() -> None:
    backend = MemoryKeyring()
    KeyringDiscogsTokenStore(backend).save(DiscogsToken(token=SECRET, username="collector"))
    assert [service for service, _ in backend.entries] == ["kleio-discogs"]


def test_the_file_is_private_and_the_repr_hides_the_token(tmp_path: Path) -> None:
    token = DiscogsToken(token=SECRET, username="collector")
    FileDiscogsTokenStore(tmp_path).save(token)
    path = tmp_path / "discogs-token.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SECRET not in repr(token)


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "discogs-token.json").write_text("{", encoding="utf-8")
    with pytest.raises(TokenStoreError, match="discogs token set"):
        FileDiscogsTokenStore(tmp_path).load()


def test_the_backend_follows_kleio_token_store(tmp_path: Path) -> None:
    chosen = discogs_token_store_from_env(tmp_path, {"KLEIO_TOKEN_STORE": "file"})
    assert isinstance(chosen, FileDiscogsTokenStore)
    with pytest.raises(TokenStoreError, match="'keyring' or 'file'"):
        discogs_token_store_from_env(tmp_path, {"KLEIO_TOKEN_STORE": "vault"})


async def test_check_token_names_the_account_or_raises_bad_token() -> None:
    fake = FakeDiscogs(make_collection(1), ScaledClock(0.01), token=TOKEN)
    async with serve(fake) as base_url, httpx.AsyncClient(timeout=10) as http:
        checked = await check_token(http, TOKEN, base_url=base_url)
        assert checked == DiscogsToken(token=TOKEN, username="collector")
        with pytest.raises(BadToken):
            await check_token(http, "wrong", base_url=base_url)
    assert fake.paths() == ["/oauth/identity", "/oauth/identity"]
