"""Analytics page: the totals, buckets and top lists are the analytics queries' numbers,
which equal a count from scratch; an empty period says so; a new play refreshes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCharts import QBarSeries, QHorizontalBarSeries, QLineSeries

from kleio_desktop.core.queries import analytics as analytics_query
from kleio_desktop.core.queries.analytics import Window
from kleio_desktop.ui.presenters.analytics import AnalyticsPresenter, Listening, duration_text
from kleio_desktop.ui.views.analytics import AnalyticsPage, time_labels
from tests.desktop.ui.support import RELEASES, Rig

UTC = ZoneInfo("UTC")
MINUTES = {r.id: (r.duration_seconds or 0) / 60 for r in RELEASES}
# (days ago, release, sides): 30-day window = today and the 29 days before
PLAYS = [
    (0, 1, None),
    (1, 1, ["A"]),
    (3, 2, None),
    (3, 3, None),
    (10, 4, None),  # an archived record still counts
    (29, 3, ["B"]),
    (30, 2, None),  # one day too old for 30 days
    (200, 1, None),
]


def log_plays(r: Rig) -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    today = dt.datetime.combine(now.date(), dt.time(0, 30), tzinfo=dt.UTC)
    for days, release_id, sides in PLAYS:
        r.run(r.desktop.plays.log_play(release_id, at=today - dt.timedelta(days=days), sides=sides))
    return now


def from_scratch(days: int) -> tuple[int, float]:
    """(plays, seconds) of the last ``days`` local days, counted by hand."""
    kept = [(rid, sides) for ago, rid, sides in PLAYS if ago < days]
    seconds = sum(MINUTES[rid] * 60 / (2 if sides else 1) for rid, sides in kept)
    return len(kept), seconds


def test_presenter_totals_equal_a_count_from_scratch(env: Rig) -> None:
    now = log_plays(env)
    presenter = AnalyticsPresenter(
        env.desktop.store, env.bridge, env.errors, lambda: UTC, now=lambda: now
    )
    for period, days in (("7d", 7), ("30d", 30), ("1y", 365)):
        env.run(presenter.set_period(period))  # type: ignore[arg-type]
        listening = presenter.listening
        assert listening is not None
        plays, seconds = from_scratch(days)
        assert listening.series.series.total_plays == plays
        assert listening.series.series.total_seconds == pytest.approx(seconds)
        expected = env.run(
            analytics_query.series(
                env.desktop.store,
                Window(period=period),  # type: ignore[arg-type]
                grouping=presenter.grouping,
                tz=UTC,
                now=now,
            )
        )
        assert listening.series == expected
    env.run(presenter.set_period("30d"))
    assert presenter.listening is not None
    genres = presenter.listening.shares["genre"]
    assert [(s.label, s.plays) for s in genres] == [("Jazz", 3), ("Electronic", 2), ("Rock", 1)]
    env.run(presenter.set_measure("seconds"))
    assert presenter.listening is not None
    assert presenter.listening.shares["album"] == env.run(
        analytics_query.distribution(
            env.desktop.store,
            Window(period="30d"),
            by="album",
            measure="seconds",
            top=10,
            tz=UTC,
            now=now,
        )
    )


def test_page_draws_the_querys_numbers(env: Rig) -> None:
    log_plays(env)
    page = AnalyticsPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.presenter.reloads == 1)
    listening = page.presenter.listening
    assert isinstance(listening, Listening)
    plays, seconds = from_scratch(30)
    assert page.plays_tile.value.text() == str(plays)
    assert page.time_tile.value.text() == duration_text(seconds)
    assert page.stack.showing == "content"
    buckets = listening.series.series.buckets
    assert len(buckets) == 30  # zero-filled days
    (bars,) = page.plays_chart.series()
    assert isinstance(bars, QBarSeries)
    bar_set = bars.barSets()[0]
    assert [bar_set.at(i) for i in range(bar_set.count())] == [float(b.plays) for b in buckets]
    (line,) = page.hours_chart.series()
    assert isinstance(line, QLineSeries)
    assert [p.y() for p in line.points()] == pytest.approx([b.seconds / 3600 for b in buckets])
    (genres,) = page.top_charts["genre"].series()
    assert isinstance(genres, QHorizontalBarSeries)
    values = genres.barSets()[0]
    assert [values.at(i) for i in range(values.count())] == [1.0, 2.0, 3.0]  # biggest on top
    assert len(time_labels(buckets, "day")) <= 7

    page.period.set_value("7d")
    env.wait_until(lambda: page.plays_tile.value.text() == str(from_scratch(7)[0]))
    page.grouping.set_value("week")
    env.wait_until(lambda: page.presenter.grouping == "week" and page.presenter.reloads >= 3)


def test_a_new_play_refreshes_the_page(env: Rig) -> None:
    page = AnalyticsPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.presenter.reloads == 1)
    assert page.stack.showing == "empty"
    assert page.stack.message.headline.text() == "No plays in this period"
    env.run(env.desktop.plays.log_play(2))
    env.wait_until(lambda: page.stack.showing == "content")
    assert page.plays_tile.value.text() == "1"
    assert page.time_tile.value.text() == "33 min"


def test_a_failing_query_is_reported_with_a_retry(env: Rig) -> None:
    env.ctx.extras["time_zone"] = "Atlantis/Capital"
    page = AnalyticsPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.stack.showing == "error")
    message, retry = env.errors.reported[-1]
    assert "unknown time zone 'Atlantis/Capital'" in message and retry is not None
    env.ctx.extras["time_zone"] = "UTC"
    env.run(retry())
    assert page.stack.showing == "empty"


def test_filters_and_a_custom_period(env: Rig) -> None:
    now = log_plays(env)
    today = now.date()
    presenter = AnalyticsPresenter(
        env.desktop.store, env.bridge, env.errors, lambda: UTC, now=lambda: now
    )
    env.run(presenter.set_filters("miles davis", ""))
    assert presenter.listening is not None
    assert presenter.listening.series.series.total_plays == 2  # Kind of Blue, days 0 and 1
    env.run(presenter.set_filters("", "jazz"))
    assert presenter.listening is not None
    assert presenter.listening.series.series.total_plays == 3
    env.run(presenter.set_filters("", ""))
    env.run(presenter.set_custom(today - dt.timedelta(days=30), today - dt.timedelta(days=10)))
    assert presenter.listening is not None
    assert presenter.listening.series.series.total_plays == 3  # days 10, 29 and 30
    assert env.errors.reported == []

    env.run(presenter.set_custom(today, today - dt.timedelta(days=1)))  # start after end
    message, retry = env.errors.reported[-1]
    assert "something went wrong" not in message and retry is not None


def test_page_filters_say_when_nothing_matches(env: Rig) -> None:
    log_plays(env)
    page = AnalyticsPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.presenter.reloads == 1)
    page.artist.setText("Nobody at all")
    env.wait_until(lambda: page.stack.showing == "empty")
    assert page.stack.message.headline.text() == "No plays match"
    page.stack.message.button.click()  # clear the filters
    env.wait_until(lambda: page.stack.showing == "content")
    assert page.plays_tile.value.text() == str(from_scratch(30)[0])
    loads = page.presenter.reloads
    page.period.set_value("custom")
    assert page.custom.isVisibleTo(page)
    env.wait_until(lambda: page.presenter.reloads > loads)
    assert page.presenter.period == "custom"
    assert page.plays_tile.value.text() == str(from_scratch(90)[0])  # the last 90 days
