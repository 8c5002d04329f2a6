"""Every number the desktop store serves equals a from-scratch recomputation by shared.domain.

The same histories as the server's differential test (``history``), sent through the desktop
core's paths (``desktop_paths``: services, import documents, changes pulled from another
device, the Discogs import with details arriving late); after every step the record status,
release durations, collection counts and stylus wear are compared with the model.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import example, given

from kleio_desktop.core.store import Store
from kleio_desktop.core.store.paths import DATABASE_NAME
from tests.differential import history as h
from tests.differential import model as m
from tests.differential.desktop_paths import DesktopTarget
from tests.differential.examples import ISSUE_9, PREDECESSOR
from tests.differential.settings import DIFFERENTIAL


async def replay(history: h.History, home: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    model = m.Model.start(history, m.Clock.ending_today(now))
    store = await Store.open(home)
    try:
        target = DesktopTarget(store, history, model)
        await target.start()
        done = ["import"]
        found = await target.differences(model, now)
        assert not found, _report(history, done, found.found)
        for number, step in enumerate(history.steps, start=1):
            ops = []
            for action in step.actions:
                op = model.resolve(action)
                if op is not None:
                    model.apply(op)
                    ops.append(op)
            await target.run(step.route, ops)
            done.append(f"step {number} ({step.route}): {ops}")
            found = await target.differences(model, now)
            assert not found, _report(history, done, found.found)
    finally:
        await store.close()


def _report(history: h.History, done: list[str], found: list[str]) -> str:
    return "\n".join(
        [f"history: {history!r}", "after", *done, "the desktop store serves other numbers:", *found]
    )


@DIFFERENTIAL
@given(history=h.histories())
@example(history=ISSUE_9)
@example(history=PREDECESSOR)
async def test_store_numbers_equal_the_rules_over_the_same_rows(
    history: h.History, migrated_database: Path, tmp_path: Path
) -> None:
    home = Path(tempfile.mkdtemp(dir=tmp_path))
    shutil.copyfile(migrated_database, home / DATABASE_NAME)
    await replay(history, home)
