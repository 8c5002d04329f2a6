from __future__ import annotations

import stat
from pathlib import Path

import keyring.backend
import keyring.backends.fail
import pytest

from kleio_desktop.core.auth.errors import NoKeyringAvailable, TokenStoreError
from kleio_desktop.core.auth.store import (
    FileTokenStore,
    KeyringTokenStore,
    TokenStore,
    token_store_from_env,
)
from kleio_desktop.core.auth.tokens import Credential

SERVER = "https://kleio.example"
OTHER = "https://other.example"
CREDENTIAL = Credential(
    mode="oidc", secret="refresh-1", issuer="https://id.example", client_id="desk"
)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend kept in a dict: the OS keyring's boundary, without the OS."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def test_missing_keyring_raises_a_clear_typed_error() -> None:
    with pytest.raises(NoKeyringAvailable) as raised:
        KeyringTokenStore(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]

    assert "KLEIO_TOKEN_STORE=file" in str(raised.value)
    assert "keyring" in str(raised.value).lower()


@pytest.fixture(params=["keyring", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> TokenStore:
    if request.param == "keyring":
        return KeyringTokenStore(MemoryKeyring())
    return FileTokenStore(tmp_path)


def test_round_trip_per_server(store: TokenStore) -> None:
    local = Credential(mode="local", secret="key")
    store.save(SERVER, CREDENTIAL)
    store.save(OTHER, local)

    assert store.load(SERVER) == CREDENTIAL
    assert store.load(OTHER) == local
    assert store.current_server() == OTHER


def test_delete_forgets_only_that_server(store: TokenStore) -> None:
    store.save(OTHER, CREDENTIAL)
    store.save(SERVER, CREDENTIAL)
    store.delete(SERVER)

    assert store.load(SERVER) is None
    assert store.current_server() is None
    assert store.load(OTHER) == CREDENTIAL
    store.delete(SERVER)  # idempotent


def test_keyring_entry_is_service_kleio_user_server_url() -> None:
    backend = MemoryKeyring()
    KeyringTokenStore(backend).save(SERVER, CREDENTIAL)

    assert ("kleio", SERVER) in backend.entries


def test_file_store_is_private_0600(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "home")
    store.save(SERVER, CREDENTIAL)
    store.save(OTHER, CREDENTIAL)

    mode = stat.S_IMODE(store.path.stat().st_mode)
    assert mode == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["credentials.json"]


def test_unreadable_file_is_a_store_error(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path)
    store.path.write_text("not json")

    with pytest.raises(TokenStoreError, match=r"credentials\.json"):
        store.load(SERVER)


def test_env_chooses_the_file_store_only_on_opt_in(tmp_path: Path) -> None:
    assert isinstance(token_store_from_env(tmp_path, {"KLEIO_TOKEN_STORE": "file"}), FileTokenStore)
    with pytest.raises(TokenStoreError, match="'keyring' or 'file'"):
        token_store_from_env(tmp_path, {"KLEIO_TOKEN_STORE": "plaintext"})


def test_secrets_stay_out_of_repr() -> None:
    assert "refresh-1" not in repr(CREDENTIAL)
