"""First run against a server in OIDC mode, through the dialog: the server's address, the
sign-in settings the server publishes, then the system browser (here httpx through the npm
oidc-provider's login and consent, the only stand-in) to the app's loopback redirect with
PKCE; the app is signed in, keeps the token in its token store only, and a play logged
through the REST API by the same user shows in the open Log view. A wrong address and a
server that does not sign in through a provider are said in a sentence, and the step can
be retried or skipped."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import qasync
from PySide6.QtWidgets import QDialog

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.auth.flow import SignInConfig, sign_in
from kleio_desktop.core.auth.server_config import ZITADEL_ROLES_SCOPE, zitadel_audience_scope
from kleio_desktop.core.auth.store import FileTokenStore
from kleio_desktop.ui.first_run import DISCOGS, SERVER, FirstRunDialog
from kleio_desktop.ui.main import App
from kleio_desktop.ui.views.log import LogPage
from kleio_desktop.ui.views.settings import SettingsPage
from tests.fakes.oidc_provider_fixture import ProviderHandle, drive_login, start_oidc_provider

from .servers import local_server, oidc_server
from .support import run, until

USER = "alice"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHandle]:
    """The npm oidc-provider set up like Zitadel (tokens that outlive the test)."""
    handle = start_oidc_provider(tmp_path_factory.mktemp("oidc"), access_token_ttl=600)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The system browser (``webbrowser.open``, the app's only seam here) played by httpx
    through the provider's login and consent as ``USER``, to the app's loopback
    redirect; the URLs it was asked to open."""
    opened: list[str] = []
    driving: set[asyncio.Task[None]] = set()

    def open_url(url: str, *_args: object, **_kwargs: object) -> bool:
        opened.append(url)
        task = asyncio.ensure_future(asyncio.to_thread(drive_login, url, USER))
        driving.add(task)
        task.add_done_callback(driving.discard)
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
    return opened


def first_run(kleio: App) -> FirstRunDialog:
    dialog = FirstRunDialog(kleio.account, kleio.window)
    dialog.open()
    dialog.server_button.click()
    assert dialog.steps.currentIndex() == SERVER
    return dialog


async def access_token(provider: ProviderHandle) -> str:
    """USER's access token from a sign-in of their own (another device's), for the REST API."""
    config = SignInConfig(
        issuer=provider.issuer,
        client_id=provider.client_id,
        extra_scopes=(zitadel_audience_scope(provider.project_id), ZITADEL_ROLES_SCOPE),
        timeout=30,
    )
    driving: list[asyncio.Task[None]] = []

    def open_browser(url: str) -> None:
        driving.append(asyncio.ensure_future(asyncio.to_thread(drive_login, url, USER)))

    async with httpx.AsyncClient(timeout=10) as http:
        tokens = await sign_in(http, config, open_browser, lambda _url: None)
    await driving[0]
    return tokens.access_token


def test_pairing_through_the_browser_signs_in_and_a_play_from_the_api_shows_in_the_log(
    kleio: App,
    desktop: Desktop,
    qloop: qasync.QEventLoop,
    provider: ProviderHandle,
    browser: list[str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    log_page = kleio.window.navigate("log")
    assert isinstance(log_page, LogPage)
    with oidc_server(tmp_path / "server", provider, [1001, 1002], user=USER) as server:
        dialog = first_run(kleio)
        dialog.server_field.setText(server)
        run(qloop, dialog.pair(), timeout=60)
        assert dialog.error.text() == ""
        assert dialog.steps.currentIndex() == DISCOGS
        assert dialog.discogs_state.text() == f"Paired with {server}."

        # the browser was sent to the provider the server names, with PKCE
        [authorize] = browser
        assert authorize.startswith(provider.issuer)
        query = httpx.URL(authorize).params
        assert query["client_id"] == provider.client_id
        assert query["code_challenge_method"] == "S256"
        assert query["redirect_uri"].startswith("http://127.0.0.1:")
        assert authorize in dialog.sign_in_link.text()  # in case no browser opened

        # signed in: syncing, and Settings says with which server
        status = kleio.window.status_presenter
        run(qloop, until(lambda: status.view.online and status.view.last_synced_at is not None))
        assert kleio.window.status_area.sync_state.text().startswith("Online")
        settings = kleio.window.navigate("settings")
        assert isinstance(settings, SettingsPage)
        run(qloop, until(lambda: settings.server_state.text() == f"Paired with <b>{server}</b>."))

        # the token is in the token store, and in no URL or log line
        credential = FileTokenStore(desktop.home).load(server)
        assert credential is not None
        assert (credential.mode, credential.issuer) == ("oidc", provider.issuer)
        assert not credential.access_only  # a refresh token: the sign-in lasts
        secret = credential.secret
        assert len(secret) > 16
        assert all(secret not in url for url in browser)
        assert secret not in caplog.text
        assert "HTTP Request" in caplog.text  # the requests' URLs were logged, and looked at

        # the Log view, open, lists the server's records ...
        assert kleio.window.navigate("log") is log_page
        run(
            qloop,
            until(lambda: {r.item.release_id for r in log_page.model.records} >= {1001, 1002}),
        )

        # ... and a play the same user logs through the REST API arrives in it
        played_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=3)
        token = run(qloop, access_token(provider), timeout=60)
        response = httpx.post(
            f"{server}/api/v1/plays",
            json={"release_id": 1002, "played_at": played_at.isoformat(), "notes": "api"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text

        def shown_plays() -> int:
            listed = [r for r in log_page.model.records if r.item.release_id == 1002]
            return listed[0].status.plays if listed else 0

        run(qloop, until(lambda: shown_plays() == 1))
        [record] = [r for r in log_page.model.records if r.item.release_id == 1002]
        assert record.status.last_played_at == played_at
        assert secret not in caplog.text
        dialog.finish()
        run(qloop, kleio.close())  # stop syncing before the server goes


def test_a_wrong_address_or_a_server_without_a_provider_is_a_sentence_then_retry_or_skip(
    kleio: App,
    qloop: qasync.QEventLoop,
    provider: ProviderHandle,
    browser: list[str],
    tmp_path: Path,
) -> None:
    dialog = first_run(kleio)

    # an address that answers, but is no Kleio server (the identity provider itself)
    dialog.server_field.setText(provider.issuer)
    run(qloop, dialog.pair())
    assert dialog.steps.currentIndex() == SERVER
    assert dialog.error.text() == (
        f"{provider.issuer}/api/v1/auth/config answered HTTP 404; is this a Kleio server?"
    )
    assert dialog.pair_button.isEnabled()

    with local_server(tmp_path / "local", []) as local:
        # a Kleio server that signs in with its access key, not through a provider
        dialog.server_field.setText(local.url)
        run(qloop, dialog.pair())
        assert dialog.steps.currentIndex() == SERVER
        assert dialog.error.text() == (
            f"{local.url} runs in local mode: paste the sign-in address it printed "
            "(…/login#key=…), or its access key."
        )
        assert dialog.pair_button.isEnabled()
    assert browser == []  # no browser was opened for either

    # skipped: on to Discogs, and the setup ends unpaired
    dialog.server_skip_button.click()
    assert dialog.steps.currentIndex() == DISCOGS
    assert dialog.error.text() == ""
    dialog.finish()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert run(qloop, kleio.account.current_server()) is None

    # retried: the same step, the right address, signed in
    dialog = first_run(kleio)
    dialog.server_field.setText("127.0.0.1:9")  # nothing listens there
    run(qloop, dialog.pair())
    assert dialog.error.text().startswith("Cannot reach the Kleio server at http://127.0.0.1:9")
    with oidc_server(tmp_path / "server", provider, [], user=USER) as server:
        dialog.server_field.setText(server)
        dialog.key_field.setText("a-local-key")  # not for a server with a provider
        run(qloop, dialog.pair())
        assert dialog.error.text() == (
            f"{server} signs in through its identity provider: leave the access key empty "
            "and sign in in the browser that opens."
        )
        assert browser == []
        dialog.key_field.clear()
        run(qloop, dialog.pair(), timeout=60)
        assert dialog.error.text() == ""
        assert dialog.steps.currentIndex() == DISCOGS
        assert len(browser) == 1
        assert run(qloop, kleio.account.current_server()) == server
        dialog.finish()
        run(qloop, kleio.close())
