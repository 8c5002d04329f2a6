"""`kleio login --server URL [--key KEY | --no-browser]` and `kleio logout [--server URL]`."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import webbrowser
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the core is imported inside the commands: `kleio --help` stays light
    from kleio_desktop.core.auth import TokenStore
    from kleio_desktop.core.auth.tokens import Credential

HTTP_TIMEOUT_SECONDS = 30.0

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
    from kleio_desktop.core.auth import token_store_from_env
    from kleio_desktop.core.settings import DesktopSettings

    return token_store_from_env(DesktopSettings().data_dir)


def _fail(exc: Exception) -> typer.Exit:
    from kleio_desktop.cli import fail_with

    return fail_with(exc)


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

    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.settings import DesktopSettings

    async with Desktop.open(DesktopSettings().data_dir) as desktop:
        desktop.use_tokens(store)
        credential = await desktop.sign_in(
            server, key=key, open_browser=None if no_browser else _open_browser, on_url=show
        )
    return credential


def login(server: ServerOption, key: KeyOption = None, no_browser: NoBrowserOption = False) -> None:
    """Sign in to a Kleio sync server (the browser for OIDC, --key for a local-mode server).

    Examples: kleio login --server https://kleio.example ·
    kleio login --server http://127.0.0.1:8000 --key - < key.txt
    """
    from kleio_desktop.core.errors import KleioError

    if key is not None and no_browser:
        raise typer.BadParameter("--key and --no-browser exclude each other", param_hint="--key")
    if key == "-":
        key = sys.stdin.readline().strip()
    try:
        credential = asyncio.run(_login(_store(), server, key, no_browser))
    except KleioError as exc:
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
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.settings import DesktopSettings

    async with Desktop.open(DesktopSettings().data_dir) as desktop:
        desktop.use_tokens(store)
        return await desktop.sign_out(server)


def _unsent() -> int:
    """Changes of this device not yet pushed to the server (the light status read)."""
    from kleio_desktop.commands.status import status_json

    return int(status_json()["pending_mutations"])


def logout(
    server: Annotated[
        str | None, typer.Option("--server", help="Server to sign out of (default: the last one).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Sign out even with changes not yet synced.")
    ] = False,
) -> None:
    """Sign out: revoke the refresh token at the identity provider and forget it here.

    Changes not yet synced stay on this device and go up at the next sign-in; you are asked
    first (a script passes --force). Examples: kleio logout · kleio logout --force
    """
    from kleio_desktop.core.auth.server_config import normalize_server_url
    from kleio_desktop.core.errors import KleioError

    try:
        store = _store()
        target = normalize_server_url(server) if server else store.current_server()
        credential = store.load(target) if target is not None else None
        if target is None or credential is None:
            typer.echo(f"Not signed in to {target or 'any server'}.", err=True)
            return
        unsent = _unsent()
        if unsent and not force:
            warning = (
                f"{unsent} change{'s' if unsent != 1 else ''} of this device "
                f"{'have' if unsent != 1 else 'has'} not reached {target} yet "
                "(`kleio sync` sends them); they stay here and go up after the next sign-in."
            )
            typer.echo(f"kleio: {warning}", err=True)
            if not (sys.stdin.isatty() and typer.confirm("Sign out anyway?", err=True)):
                if not sys.stdin.isatty():
                    typer.echo("kleio: not signed out; pass --force to sign out anyway.", err=True)
                raise typer.Exit(1)
        revoked = asyncio.run(_logout(store, target))
    except KleioError as exc:
        raise _fail(exc) from None
    unconfirmed = credential.mode == "oidc" and not revoked
    note = " (the identity provider did not confirm the revocation)" if unconfirmed else ""
    typer.echo(f"Signed out of {target}{note}.", err=True)


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
