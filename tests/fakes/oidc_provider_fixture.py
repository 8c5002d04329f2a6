"""Run the npm `oidc-provider` fake (tests/fakes/oidc_provider, set up like Zitadel) for tests.

    handle = start_oidc_provider(access_token_ttl=2)
    try:
        ...  # handle.issuer, handle.client_id, handle.project_id
    finally:
        handle.stop()

`drive_login(url)` plays the user's browser: it follows the authorization URL through the
provider's test-only login and consent to the loopback callback, and calls that callback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import httpx

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
READY_TIMEOUT_SECONDS = 20.0
_install_lock = threading.Lock()


class OIDCProviderUnavailable(RuntimeError):
    pass


@dataclass
class ProviderHandle:
    issuer: str
    client_id: str
    project_id: str
    org_id: str
    access_token_ttl: int
    web_client_id: str
    web_client_secret: str = field(repr=False)
    process: subprocess.Popen[str] = field(repr=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _ensure_node_modules(directory: Path) -> None:
    with _install_lock:
        if (directory / "node_modules" / "oidc-provider" / "package.json").exists():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise OIDCProviderUnavailable(
                "npm is not installed: the OIDC integration tests run the npm package "
                f"oidc-provider from {directory}; install Node.js 20+ with npm."
            )
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise OIDCProviderUnavailable(f"`npm ci` failed in {directory}:\n{result.stderr}")


def start_oidc_provider(
    tmp_dir: Path | None = None,
    *,
    access_token_ttl: int = 300,
    project_id: str = "271828182845904523",
    client_id: str = "kleio-desktop",
    strict_consent: bool = False,
    prompt_values: tuple[str, ...] = (),
    web_redirect_uris: tuple[str, ...] = (),
    web_post_logout_uris: tuple[str, ...] = (),
) -> ProviderHandle:
    """Start `node server.mjs` on an ephemeral port and wait for its ready line.

    `tmp_dir`, when given, receives the provider's stderr log (provider.log) for debugging.
    `strict_consent`: grant no refresh token without prompt=consent (OIDC Core §11, as
    oidc-provider itself does) instead of emulating Zitadel; `prompt_values`: the
    `prompt_values_supported` its discovery document publishes (none by default);
    `web_redirect_uris` / `web_post_logout_uris`: those of the confidential web client
    (`handle.web_client_id`, secret `handle.web_client_secret`).
    """
    _ensure_node_modules(PROVIDER_DIR)
    node = shutil.which("node")
    if node is None:
        raise OIDCProviderUnavailable("node is not installed (Node.js 20+ runs the fake OIDC).")
    env = {
        **os.environ,
        "OIDC_ACCESS_TOKEN_TTL": str(access_token_ttl),
        "OIDC_PROJECT_ID": project_id,
        "OIDC_CLIENT_ID": client_id,
        "OIDC_STRICT_CONSENT": "1" if strict_consent else "0",
        "OIDC_PROMPT_VALUES": " ".join(prompt_values),
    }
    if web_redirect_uris:
        env["OIDC_WEB_REDIRECT_URIS"] = " ".join(web_redirect_uris)
    if web_post_logout_uris:
        env["OIDC_WEB_POST_LOGOUT_URIS"] = " ".join(web_post_logout_uris)
    log = (tmp_dir / "provider.log").open("w") if tmp_dir is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        [node, "server.mjs", "0"],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    if tmp_dir is not None and not isinstance(log, int):
        log.close()
    ready = _read_ready_line(process)
    return ProviderHandle(
        issuer=ready["issuer"],
        client_id=ready["client_id"],
        project_id=ready["project_id"],
        org_id=ready["org_id"],
        access_token_ttl=access_token_ttl,
        web_client_id=ready["web_client_id"],
        web_client_secret=ready["web_client_secret"],
        process=process,
    )


def _read_ready_line(process: subprocess.Popen[str]) -> dict[str, str]:
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.append(process.stdout.readline() if process.stdout else ""),
        daemon=True,
    )
    reader.start()
    reader.join(READY_TIMEOUT_SECONDS)
    if not lines or not lines[0].strip():
        process.kill()
        process.wait()
        raise OIDCProviderUnavailable(
            f"the fake OIDC provider did not start (exit code {process.returncode})"
        )
    data: dict[str, str] = {k: str(v) for k, v in json.loads(lines[0]).items()}
    return data


def drive_login(authorize_url: str, login: str = "alice") -> None:
    """Act as the browser: authorize, sign in as `login`, consent, and hit the loopback callback.

    Blocking (sync httpx): call it from a thread (`asyncio.to_thread`) while the app awaits
    its loopback listener on the event loop.
    """
    with httpx.Client(follow_redirects=False, timeout=10.0) as browser:
        response = browser.get(authorize_url)
        for _ in range(20):
            if response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                if httpx.URL(target).path == "/callback":
                    browser.get(target)  # the app's loopback listener answers the browser
                    return
                response = browser.get(target)
            elif response.status_code == httpx.codes.OK and "/interaction/" in response.url.path:
                login_url = f"{response.url.copy_with(query=None)}/login"
                response = browser.post(login_url, data={"login": login})
            else:
                raise AssertionError(
                    f"unexpected {response.status_code} at {response.url}: {response.text[:500]}"
                )
    raise AssertionError("too many redirects before the loopback callback")
