"""Every number the server serves equals a from-scratch recomputation by shared.domain.

Hypothesis draws a user's history (``history``), sends it through a random mix of the
server's write paths (``server_paths``) and, after every step, compares the collection
status, release durations, stylus wear and analytics totals the API serves with the test's
own model of the same rows (``model``). Runs on SQLite and PostgreSQL (the ``app`` fixture).
``KLEIO_DIFF_EXAMPLES`` sets the number of histories (``make differential`` runs many).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from hypothesis import example, given

from kleio_server.deps import Kleio
from tests.differential import history as h
from tests.differential import model as m
from tests.differential.examples import ISSUE_9, PREDECESSOR
from tests.differential.server_numbers import differences
from tests.differential.server_paths import Server, ServerTarget
from tests.differential.settings import DIFFERENTIAL
from tests.server.conftest import ApiUser


async def replay(
    kleio: Kleio, user: ApiUser, history: h.History, release_ids: list[int], workdir: Path
) -> None:
    clock = m.Clock.ending_today(dt.datetime.now(dt.UTC))
    model = m.Model.start(history, clock)
    target = ServerTarget(kleio, user, history, model, release_ids, workdir)
    await target.start(model)
    done: list[str] = ["import"]
    found = await differences(target, model)
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
        found = await differences(target, model)
        assert not found, _report(history, done, found.found)


def _report(history: h.History, done: list[str], found: list[str]) -> str:
    return "\n".join(
        [f"history: {history!r}", "after", *done, "the server serves other numbers:", *found]
    )


@DIFFERENTIAL
@given(history=h.histories())
@example(history=ISSUE_9)
@example(history=PREDECESSOR)
async def test_served_numbers_equal_the_rules_over_the_same_rows(
    history: h.History,
    server: Server,
    make_user: Callable[[str], ApiUser],
    release_ids: Iterator[int],
    tmp_path: Path,
) -> None:
    user = make_user("collector")
    ids = [next(release_ids) for _ in history.releases]
    await replay(server.kleio, user, history, ids, Path(tempfile.mkdtemp(dir=tmp_path)))
