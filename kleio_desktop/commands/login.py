"""`kleio login --server URL [--key KEY | --no-browser]` and `kleio logout [--server URL]`."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import webbrowser
from typing import Annotated

import httpx
import typer

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.auth import (
    AuthError,
    TokenStore,
    token_store_from_env,
)
from kleio_desktop.core.auth.server_config import normalize_server_url
from kleio_desktop.core.auth.tokens import Credential
from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.settings import DesktopSettings

HTTP_TIMEOUT = httpx.Timeout(30.0)

ServerOption = Annotated[
    str, typer.Option("--server", help="URL of the Kleio sync server, e.g. https://kleio.example")
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key", help="Local-mode access key printed by the server ('-' reads it from stdin)."
    ),
]
NoBrowserOption = Annotated[
    bool,
    typer.Option(
        "--no-browser",
        help="Print the sign-in URL instead of opening a browser, then wait for the redirect.",
    ),
]


def _store() -> TokenStore:
    return token_store_from_env(DesktopSettings().data_dir)


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"Error: {exc}", err=True)
    return typer.Exit(1)


def _open_browser(url: str) -> None:
    if not webbrowser.open(url):
        typer.echo("Could not open a browser; open the URL above yourself.", err=True)


async def _login(store: TokenStore, server: str, key: str | None, no_browser: bool) -> Credential:
    def show(url: str) -> None:
        if no_browser:
            typer.echo(url)  # alone on its line on stdout: scripts read it
        else:
            typer.echo(
                f"Opening your browser to sign in. If it does not open, visit:\n{url}", err=True
            )

    async with Desktop.open(DesktopSettings().data_dir) as desktop:
        desktop.use_tokens(store)
        credential = await desktop.sign_in(
            server, key=key, open_browser=None if no_browser else _open_browser, on_url=show
        )
    return credential


def login(server: ServerOption, key: KeyOption = None, no_browser: NoBrowserOption = False) -> None:
    """Sign in to a Kleio sync server (the browser for OIDC, --key for a local-mode server)."""
    if key is not None and no_browser:
        raise typer.BadParameter("--key and --no-browser exclude each other", param_hint="--key")
    if key == "-":
        key = sys.stdin.readline().strip()
    try:
        credential = asyncio.run(_login(_store(), server, key, no_browser))
    except (AuthError, KleioError) as exc:
        raise _fail(exc) from None
    local = credential.mode == "local"
    typer.echo(f"Signed in to {server}" + (" (local mode)." if local else "."), err=True)
    if credential.access_only:
        typer.echo(_lapse_note(credential.expires_at), err=True)


def _lapse_note(expires_at: float | None) -> str:
    when = ""
    if expires_at is not None:
        when = " at " + dt.datetime.fromtimestamp(expires_at).astimezone().strftime("%H:%M")
    return (
        "The identity provider granted no refresh token, so this sign-in lapses with its "
        f"access token{when}; Kleio will then ask you to sign in again (`kleio login`)."
    )


async def _logout(store: TokenStore, server: str) -> bool:
    async with Desktop.open(DesktopSettings().data_dir) as desktop:
        desktop.use_tokens(store)
        return await desktop.sign_out(server)


def logout(
    server: Annotated[
        str | None, typer.Option("--server", help="Server to sign out of (default: the last one).")
    ] = None,
) -> None:
    """Sign out: revoke the refresh token at the identity provider and forget it here."""
    try:
        store = _store()
        target = normalize_server_url(server) if server else store.current_server()
        credential = store.load(target) if target is not None else None
        if target is None or credential is None:
            typer.echo(f"Not signed in to {target or 'any server'}.", err=True)
            return
        revoked = asyncio.run(_logout(store, target))
    except (AuthError, KleioError) as exc:
        raise _fail(exc) from None
    unconfirmed = credential.mode == "oidc" and not revoked
    note = " (the identity provider did not confirm the revocation)" if unconfirmed else ""
    typer.echo(f"Signed out of {target}{note}.", err=True)


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
