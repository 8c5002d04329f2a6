"""Schemathesis over the served OpenAPI document: generated requests never get a 5xx.

A real uvicorn server (in this event loop) and the schemathesis CLI as a separate process,
signed in as a user with some data, so generated ids sometimes hit real rows."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kleio_server.app import create_app
from shared.discogs.timing import SystemClock
from tests.fakes.discogs.app import FakeDiscogs
from tests.fakes.discogs.data import make_collection
from tests.fakes.discogs.server import serve as serve_discogs
from tests.fakes.oidc_issuer import FakeOIDCIssuer
from tests.server.conftest import make_settings, pg_database
from tests.server.realtime.live import serving
from tests.server.seed import add_records, release


@dataclass(frozen=True)
class Subject:
    subject: str


MAX_EXAMPLES = int(os.environ.get("KLEIO_FUZZ_EXAMPLES", "20"))
MAX_SECONDS = int(os.environ.get("KLEIO_FUZZ_SECONDS", "100"))
"""The run's time budget: fuzzing and the stateful phase (link-following sequences of calls)
repeat until it is spent, so the run takes this long whatever the machine."""


@pytest.mark.timeout(900)
async def test_no_server_errors(
    issuer: FakeOIDCIssuer, tmp_path: Path, release_ids: Iterator[int]
) -> None:
    """One run, on PostgreSQL (what production runs; it takes minutes). SQLite behaviour is
    covered by every other server test, which runs on both."""
    fake = FakeDiscogs(make_collection(5), SystemClock())  # Discogs stands in by its fake
    async with pg_database() as database_url, serve_discogs(fake) as discogs_api:
        await _fuzz(database_url, discogs_api, issuer, tmp_path, release_ids)


async def _fuzz(
    database_url: str,
    discogs_api: str,
    issuer: FakeOIDCIssuer,
    tmp_path: Path,
    release_ids: Iterator[int],
) -> None:
    settings = make_settings(database_url, tmp_path / "data", issuer, discogs_api=discogs_api)
    app = create_app(settings, http=issuer.client(), migrate_on_start=True)
    async with serving(app, lifespan="on") as address:
        token = issuer.mint(issuer.claims(sub="fuzz", exp=int(time.time()) + 3600))
        await add_records(app.state.kleio, Subject("fuzz"), [release(next(release_ids))])
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"http://{address}/api/v1/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--header",
            f"Authorization: Bearer {token}",
            "--seed",
            "20261128",
            "--request-timeout",
            "60",
            "--max-time",
            str(MAX_SECONDS),
            "--suppress-health-check",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--mode",
            "all",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
        )
        output, _ = await process.communicate()
    text = output.decode(errors="replace")
    (tmp_path / "schemathesis.txt").write_text(text)
    assert process.returncode == 0, text[-8000:]
    # a run that reached no operation would also exit 0: make sure the API was exercised
    tested = re.search(r"Tested:\s*(\d+)", text)
    assert tested is not None and int(tested.group(1)) >= 30, text[-2000:]
    print(text[-6000:])
    print(f"schemathesis finished in {time.monotonic() - started:.1f}s")
