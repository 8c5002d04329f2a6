"""History page: shows the history query's groups and badges, follows the filters,
refreshes on a data change, and shows a failing query with a retry."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kleio_desktop.core.app import Changes, Desktop
from kleio_desktop.core.events import DataChanged
from kleio_desktop.core.queries import history as history_query
from kleio_desktop.ui.presenters._live import zone_of
from kleio_desktop.ui.presenters.history import HistoryPresenter
from kleio_desktop.ui.views._widgets import BADGES_ROLE
from kleio_desktop.ui.views.history import HistoryPage
from kleio_desktop.ui.views.history_model import entry_badges
from shared.protocol.entities import StylusIn
from tests.desktop.ui.support import Rig

UTC = ZoneInfo("UTC")


def noon_before_now() -> dt.datetime:
    """The last 12:00 UTC that has passed: a play and a cleaning 10 minutes apart around
    it fall on the same day whenever the test runs."""
    now = dt.datetime.now(dt.UTC)
    noon = dt.datetime.combine(now.date(), dt.time(12), tzinfo=dt.UTC)
    return noon if noon <= now else noon - dt.timedelta(days=1)


def log_some(r: Rig) -> None:
    """A week of plays and cleanings ending an hour ago, with a primary stylus."""
    d = r.desktop
    now = noon_before_now()
    r.run(d.styluses.add_stylus(StylusIn(name="2M Blue", lifespan_hours=1000, primary=True)))
    r.run(d.cleanings.log_cleaning(1, at=now - dt.timedelta(minutes=10), deep=True))
    r.run(d.plays.log_play(1, at=now, sides=["A"], notes="first side only"))
    r.run(d.plays.log_play(2, at=now - dt.timedelta(days=3), stylus_id=None))
    r.run(d.plays.log_play(3, at=now - dt.timedelta(days=45)))
    r.run(d.plays.log_play(4, at=now - dt.timedelta(days=2)))  # an archived record


def shown_entries(page: HistoryPage) -> list[tuple[str, list[tuple[str, str]]]]:
    """(record, badges) of every entry row, read through the view's model as Qt would."""
    model = page.tree.model()
    rows = []
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        assert model.data(group).endswith(f"·  {model.rowCount(group)}")
        for c in range(model.rowCount(group)):
            record = model.data(model.index(c, 1, group))
            badges = model.data(model.index(c, 2, group), BADGES_ROLE)
            rows.append((record, badges))
    return rows


def test_presenter_publishes_the_history_query_for_each_filter(env: Rig) -> None:
    log_some(env)
    now = dt.datetime.now(dt.UTC)
    presenter = HistoryPresenter(
        env.desktop.store, env.bridge, env.errors, lambda: UTC, now=lambda: now
    )
    seen: list[list[object]] = []
    presenter.loaded.connect(seen.append)
    for period, grouping, query in [
        ("month", "date", ""),
        ("all", "artist", ""),
        ("week", "album", ""),
        ("all", "none", "coltrane"),
        ("all", "date", "2M Blue"),
    ]:
        presenter.period, presenter.grouping, presenter.query = period, grouping, query  # type: ignore[assignment]
        env.run(presenter.reload())
        expected = env.run(
            history_query.history(
                env.desktop.store,
                period=period,  # type: ignore[arg-type]
                grouping=grouping,  # type: ignore[arg-type]
                query=query,
                tz=UTC,
                now=now,
            )
        )
        assert presenter.groups == expected
        assert seen[-1] == expected
    assert env.errors.reported == []


def test_page_shows_entries_and_badges_and_follows_filters(env: Rig) -> None:
    log_some(env)
    page = HistoryPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.presenter.reloads == 1)
    rows = shown_entries(page)
    # month by day: the cleaning, three plays (the archived record's too), not the 45-day-old one
    assert [title for title, _ in rows] == [
        "Kind of Blue — Miles Davis",
        "Kind of Blue — Miles Davis",
        "Remain in Light — Talking Heads",
        "A Love Supreme — John Coltrane",
    ]
    assert rows[0][1] == [
        ("play", "Play"),
        ("sides", "Side A"),
        ("stylus", "2M Blue"),
        ("same_day", "Cleaned the same day"),
    ]
    assert rows[1][1] == [("cleaning", "Cleaning"), ("deep", "Deep clean")]
    assert rows[3][1] == [("play", "Play")]  # no stylus, no sides, not cleaned that day
    assert page.summary.text() == "3 plays · 1 cleaning"
    assert [entry_badges(e) for g in page.presenter.groups for e in g.entries] == [
        badges for _, badges in rows
    ]

    page.period.set_value("all")
    env.wait_until(lambda: len(shown_entries(page)) == 5)
    page.search.setText("selected ambient")
    env.wait_until(
        lambda: [t for t, _ in shown_entries(page)] == ["Selected Ambient Works — Aphex Twin"]
    )
    page.search.setText("no such record at all")
    env.wait_until(lambda: page.stack.showing == "empty")
    assert "no such record at all" in page.stack.message.detail.text()


def test_a_play_logged_elsewhere_appears_without_reload(env: Rig) -> None:
    page = HistoryPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.presenter.reloads == 1)
    assert page.stack.showing == "empty"
    env.run(env.desktop.plays.log_play(3, notes="from the terminal"))
    env.wait_until(lambda: len(shown_entries(page)) == 1)
    assert page.stack.showing == "content"
    assert page.summary.text() == "1 play · 0 cleanings"


def test_a_failing_query_shows_the_error_and_retries(env: Rig) -> None:
    log_some(env)
    env.ctx.extras["time_zone"] = "Mars/Olympus_Mons"
    page = HistoryPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.stack.showing == "error")
    message, retry = env.errors.reported[-1]
    assert "unknown time zone 'Mars/Olympus_Mons'" in message
    assert retry is not None
    assert message in page.stack.message.detail.text()
    env.ctx.extras["time_zone"] = "UTC"
    page.stack.message.button.click()
    env.wait_until(lambda: page.stack.showing == "content")
    assert len(shown_entries(page)) == 4
    assert zone_of(env.ctx)() == UTC


def test_a_new_day_moves_the_period(env: Rig) -> None:
    """Left open over midnight, the page queries again: "last 30 days" ends today."""
    log_some(env)
    clock = [dt.datetime.now(dt.UTC)]
    presenter = HistoryPresenter(
        env.desktop.store, env.bridge, env.errors, lambda: UTC, now=lambda: clock[0]
    )
    env.run(presenter.reload())
    before = [e for g in presenter.groups for e in g.entries]
    assert len(before) == 4
    assert presenter.loaded_day == clock[0].date()
    env.run(presenter.refresh_if_new_day())
    assert presenter.reloads == 1  # same day: nothing to do
    clock[0] += dt.timedelta(days=27)  # the older entries fall out of the 30 days
    env.run(presenter.refresh_if_new_day())
    assert presenter.reloads == 2
    assert presenter.groups == env.run(
        history_query.history(env.desktop.store, tz=UTC, now=clock[0])
    )
    first_day = clock[0].date() - dt.timedelta(days=29)
    after = [e for g in presenter.groups for e in g.entries]
    assert after == [e for e in before if e.day >= first_day]
    assert 0 < len(after) < len(before)


def test_a_play_written_by_another_program_appears(env: Rig) -> None:
    """Another program (here a second Desktop on the same store, as `kleio play` is)
    writes a play; the core announces it as an other-process change and the page shows it."""
    page = HistoryPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.presenter.reloads == 1)

    async def other_program() -> Changes:
        async with Desktop.open(env.desktop.home) as other:
            return await other.plays.log_play(2, notes="from the terminal")

    changes = env.run(other_program())
    env.desktop.events.publish(DataChanged(changes, "other_process"))
    env.wait_until(lambda: len(shown_entries(page)) == 1)
    assert shown_entries(page)[0][0] == "A Love Supreme — John Coltrane"


def test_a_failure_nobody_handled_still_reaches_the_user(env: Rig) -> None:
    page = HistoryPage(env.ctx)

    async def broken() -> None:
        raise OSError(28, "No space left on device", str(env.desktop.home))

    page.presenter.spawn(broken())
    env.wait_until(lambda: bool(env.errors.reported))
    assert env.errors.reported[-1][0].startswith("No space left on device")


def test_a_hidden_page_catches_up_when_shown_again(env: Rig) -> None:
    page = HistoryPage(env.ctx)
    page.show()
    page.activate()
    env.wait_until(lambda: page.presenter.reloads == 1)
    page.hide()
    env.run(env.desktop.plays.log_play(1))
    env.settle(0.5)
    assert page.presenter.reloads == 1 and page.presenter.stale  # no query while hidden
    page.show()
    page.activate()
    env.wait_until(lambda: page.presenter.reloads == 2)
    assert [title for title, _ in shown_entries(page)] == ["Kind of Blue — Miles Davis"]
    page.activate()  # nothing changed since: nothing to query
    env.settle(0.3)
    assert page.presenter.reloads == 2
    page.close()
