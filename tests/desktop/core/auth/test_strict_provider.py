"""Providers that follow OIDC Core §11 strictly grant no refresh token without
``prompt=consent`` (issue 13 item 8): the desktop signs in anyway, asks the user to sign in
again (a clear message) when the access token lapses, and sends ``prompt=consent`` where
the discovery document lists it in ``prompt_values_supported``.

Against the npm oidc-provider in its strict mode (tests/fakes/oidc_provider) and, for the
authorization URL alone, the in-process issuer (tests/fakes/oidc_issuer.py)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kleio_desktop.core.auth.discovery import ProviderMetadata
from kleio_desktop.core.auth.errors import SignInRequired
from kleio_desktop.core.auth.flow import SignInConfig, authorization_url
from kleio_desktop.core.auth.oidc_client import OIDCClient
from kleio_desktop.core.auth.pkce import PKCEPair
from kleio_desktop.core.auth.refresh import OIDCAuth
from kleio_desktop.core.auth.session import auth_for_server, sign_in_to_server, sign_out
from kleio_desktop.core.auth.store import FileTokenStore
from kleio_desktop.core.auth.tokens import Credential
from tests.desktop.core.auth.conftest import ACCESS_TOKEN_TTL_SECONDS
from tests.desktop.core.auth.test_login_command import CLI, cli_env, serve_auth_config
from tests.desktop.core.auth.test_session import SERVER, KleioServer, oidc_config
from tests.fakes.oidc_issuer import FakeOIDCIssuer
from tests.fakes.oidc_provider_fixture import ProviderHandle, drive_login, start_oidc_provider


@pytest.fixture(scope="module")
def strict_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHandle]:
    """OIDC Core §11 as written, and no ``prompt_values_supported`` in its discovery."""
    handle = start_oidc_provider(
        tmp_path_factory.mktemp("strict-provider"),
        access_token_ttl=ACCESS_TOKEN_TTL_SECONDS,
        strict_consent=True,
    )
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def consenting_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHandle]:
    """OIDC Core §11 as written, and ``consent`` among its ``prompt_values_supported``."""
    handle = start_oidc_provider(
        tmp_path_factory.mktemp("consenting-provider"),
        access_token_ttl=ACCESS_TOKEN_TTL_SECONDS,
        strict_consent=True,
        prompt_values=("none", "login", "consent"),
    )
    try:
        yield handle
    finally:
        handle.stop()


async def sign_in(
    provider: ProviderHandle, store: FileTokenStore
) -> tuple[Credential, str, httpx.AsyncClient, KleioServer]:
    """Sign in to a Kleio server using ``provider``; the browser is played in a thread."""
    server = KleioServer(oidc_config(provider))
    http = httpx.AsyncClient(mounts={SERVER: httpx.MockTransport(server)}, timeout=10.0)
    urls: list[str] = []
    driving: list[asyncio.Task[None]] = []

    def open_browser(url: str) -> None:
        driving.append(asyncio.ensure_future(asyncio.to_thread(drive_login, url, "carol")))

    credential = await sign_in_to_server(
        http, store, SERVER, open_browser=open_browser, on_url=urls.append
    )
    await driving[0]
    return credential, urls[0], http, server


async def outwait(credential: Credential) -> None:
    assert credential.expires_at is not None
    await asyncio.sleep(max(0.0, credential.expires_at - time.time()) + 0.5)


async def test_no_refresh_token_still_signs_in_and_asks_again_when_the_token_lapses(
    strict_provider: ProviderHandle, kleio_home: Path
) -> None:
    store = FileTokenStore(kleio_home)
    credential, url, http, server = await sign_in(strict_provider, store)
    try:
        assert "prompt" not in httpx.URL(url).params  # the provider does not list it
        assert credential.access_only and credential.expires_at is not None
        assert store.load(SERVER) == credential
        auth = await auth_for_server(http, store, SERVER)
        assert isinstance(auth, OIDCAuth)
        assert (await http.get(f"{SERVER}/api/v1/me", auth=auth)).status_code == 200
        assert server.bearers[-1] == credential.secret  # the access token itself

        await outwait(credential)
        for fresh in (False, True):  # the same auth object, and a new process's
            if fresh:
                auth = await auth_for_server(http, store, SERVER)
            with pytest.raises(SignInRequired) as lapsed:
                await http.get(f"{SERVER}/api/v1/me", auth=auth)
            message = str(lapsed.value)
            assert "granted no refresh token" in message
            assert f"kleio login --server {SERVER}" in message
        assert await sign_out(http, store, SERVER) in (True, False)
        assert store.load(SERVER) is None
    finally:
        await http.aclose()


async def test_prompt_consent_where_discovery_lists_it_gets_a_refresh_token(
    consenting_provider: ProviderHandle, kleio_home: Path
) -> None:
    store = FileTokenStore(kleio_home)
    credential, url, http, server = await sign_in(consenting_provider, store)
    try:
        assert httpx.URL(url).params["prompt"] == "consent"
        assert not credential.access_only  # a refresh token: the sign-in lasts
        auth = await auth_for_server(http, store, SERVER)
        assert (await http.get(f"{SERVER}/api/v1/me", auth=auth)).status_code == 200
        await asyncio.sleep(ACCESS_TOKEN_TTL_SECONDS + 1.05)
        assert (await http.get(f"{SERVER}/api/v1/me", auth=auth)).status_code == 200
        assert len(set(server.bearers)) == 2  # refreshed silently
    finally:
        await http.aclose()


def metadata(**extra: Any) -> ProviderMetadata:
    document = FakeOIDCIssuer().discovery_document()
    return ProviderMetadata.model_validate({**document, **extra})


@pytest.mark.parametrize(
    ("prompt_values", "expected"),
    [(None, None), (["none", "login"], None), (["none", "login", "consent"], "consent")],
)
async def test_the_consent_prompt_is_sent_only_where_the_provider_lists_it(
    prompt_values: list[str] | None, expected: str | None
) -> None:
    extra = {} if prompt_values is None else {"prompt_values_supported": prompt_values}
    async with httpx.AsyncClient() as http:
        client = OIDCClient(http, metadata(**extra), "kleio")
        config = SignInConfig(issuer=client.metadata.issuer, client_id="kleio")
        url = authorization_url(
            client,
            config,
            redirect_uri="http://127.0.0.1:1/callback",
            pkce=PKCEPair(),
            state="s",
            nonce="n",
        )
    assert httpx.URL(url).params.get("prompt") == expected


def test_the_cli_signs_in_without_a_refresh_token_and_says_when_it_lapses(
    strict_provider: ProviderHandle, kleio_home: Path
) -> None:
    server, kleio_url = serve_auth_config(oidc_config(strict_provider))
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", CLI, "login", "--server", kleio_url, "--no-browser"],
            env=cli_env(kleio_home, KLEIO_TOKEN_STORE="file"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            drive_login(process.stdout.readline().rstrip("\n"))
            out, err = process.communicate(timeout=15)
            assert out == ""  # only the URL went to stdout
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    finally:
        server.shutdown()
        server.server_close()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert f"Signed in to {kleio_url}" in err
    assert "no refresh token" in err and "sign in again" in err
    stored = json.loads((kleio_home / "credentials.json").read_text())
    assert stored["servers"][kleio_url]["access_only"] is True
