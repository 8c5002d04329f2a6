"""Suggestions page: the record of the day is the query's for the account and the day,
picks come from the suggestion queries, Play logs a play with a toast, and failures are
reported with a retry."""

from __future__ import annotations

import datetime as dt
import uuid
from random import Random
from zoneinfo import ZoneInfo

import pytest

from kleio_desktop.core.queries import suggestions as suggestion_query
from kleio_desktop.ui.presenters._live import NO_ACCOUNT, user_id_of
from kleio_desktop.ui.presenters.suggestions import Picks, SuggestionsPresenter
from kleio_desktop.ui.views.suggestions import SuggestionsPage
from shared.domain.suggestions import SuggestedRecord
from tests.desktop.ui.support import Rig

UTC = ZoneInfo("UTC")
ACCOUNT = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")


@pytest.fixture
def env(env: Rig) -> Rig:
    """The small collection, of the account ACCOUNT."""
    env.ctx.extras["user_id"] = str(ACCOUNT)
    return env


def open_page(r: Rig) -> SuggestionsPage:
    return r.open(SuggestionsPage(r.ctx))


def test_record_of_the_day_is_the_querys_for_the_account_and_day(env: Rig) -> None:
    now = dt.datetime.now(dt.UTC)
    expected = env.run(
        suggestion_query.record_of_the_day(env.desktop.store, ACCOUNT, tz=UTC, now=now)
    )
    assert expected.record is not None
    page = open_page(env)
    assert page.presenter.today is not None
    assert page.presenter.today.record == expected.record
    assert page.today_card.title.text() == expected.record.title
    assert page.today_stack.showing == "content"
    # the archived record (release 4) is never suggested
    assert expected.record.release_id != 4
    assert user_id_of(env.ctx)() == ACCOUNT


def test_without_an_account_the_pick_is_still_one_per_day(env: Rig) -> None:
    del env.ctx.extras["user_id"]
    page = open_page(env)
    expected = env.run(
        suggestion_query.record_of_the_day(
            env.desktop.store, NO_ACCOUNT, tz=UTC, now=dt.datetime.now(dt.UTC)
        )
    )
    assert page.presenter.today == expected


def test_suggest_three_then_play_one_logs_it_and_refreshes_its_count(env: Rig) -> None:
    page = open_page(env)
    page.mode_buttons["three"].click()
    env.wait_until(lambda: page.presenter.picks is not None)
    assert page.presenter.picks is not None
    records = page.presenter.picks.records
    assert sorted(r.release_id for r in records) == [1, 2, 3]
    assert [c.record for c in page.pick_cards] == records
    first = page.pick_cards[0]
    assert first.played.text() == "Never played"
    first.play.click()
    env.wait_until(lambda: page.pick_cards[0].played.text().startswith("Played once"))
    played = records[0]
    assert env.errors.toasts == [f"Logged a play of {played.title} — {played.artist}"]
    plays = env.run(env.desktop.plays.list_plays(release_id=played.release_id))
    assert len(plays) == 1
    # the same three records stay on screen, in the same order
    assert [c.record.release_id for c in page.pick_cards] == [r.release_id for r in records]


def test_random_genre_lists_every_record_of_the_genre(env: Rig) -> None:
    presenter = SuggestionsPresenter(
        env.desktop.store,
        env.desktop.plays,
        env.bridge,
        env.errors,
        lambda: UTC,
        lambda: ACCOUNT,
        rng=Random(3),
    )
    picks: list[Picks] = []
    presenter.picked.connect(picks.append)
    env.run(presenter.suggest("genre"))
    expected = env.run(suggestion_query.random_genre(env.desktop.store, Random(3)))
    assert picks[-1].genre == expected.genre
    assert picks[-1].records == expected.records
    env.run(presenter.suggest("least_played"))
    assert picks[-1].mode == "least_played"
    assert sorted(r.release_id for r in picks[-1].records) == [1, 2, 3]

    page = SuggestionsPage(env.ctx, presenter)
    presenter.picked.emit(picks[0])
    assert page.table.rowCount() == len(expected.records)
    assert page.genre_title.text().startswith(f"{expected.genre} · ")
    page.table.selectRow(0)
    page.genre_play.click()
    env.wait_until(lambda: len(env.errors.toasts) == 1)
    assert len(env.run(env.desktop.plays.list_plays())) == 1


def test_a_failed_play_is_reported_with_a_retry(env: Rig) -> None:
    presenter = SuggestionsPresenter(
        env.desktop.store, env.desktop.plays, env.bridge, env.errors, lambda: UTC, lambda: ACCOUNT
    )
    gone = SuggestedRecord(
        instance_id=999, release_id=999, folder_id=1, title="Gone", artist="Nobody",
        year=None, thumb_url="", cover_url="", genres=[], plays=0, last_played_at=None,
    )  # fmt: skip
    assert not env.run(presenter.play(gone))
    message, retry = env.errors.reported[-1]
    assert message == "no release with id 999 in the local store"
    assert retry is not None and env.errors.toasts == []


def test_a_failing_load_shows_the_error_state(env: Rig) -> None:
    env.ctx.extras["time_zone"] = "Nowhere/Land"
    page = SuggestionsPage(env.ctx)
    page.activate()
    env.wait_until(lambda: page.today_stack.showing == "error")
    assert "unknown time zone" in env.errors.reported[-1][0]


def test_an_empty_collection_says_what_to_do(rig: Rig) -> None:
    page = open_page(rig)
    assert page.today_stack.showing == "empty"
    assert "Import your collection" in page.today_stack.message.detail.text()
    page.mode_buttons["one"].click()
    rig.wait_until(lambda: page.presenter.picks is not None)
    assert page.stack.showing == "empty"
    assert page.stack.message.headline.text() == "Nothing to suggest"
