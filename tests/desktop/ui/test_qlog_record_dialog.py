"""The record dialog and its presenter: log a play / cleaning / both with time, stylus,
notes, sides and deep clean; the merged history newest first with stylus names; edit;
delete after a confirmation; readable validation errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import qasync  # type: ignore[import-untyped]
from PySide6.QtWidgets import QMessageBox

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.errors import InvalidInput, user_message
from kleio_desktop.ui.presenters.record import EntryForm, RecordPresenter
from kleio_desktop.ui.record_dialog import RecordDialog
from shared.domain.sides import release_sides
from tests.desktop.ui.support import app_context, run, until

RELEASE = 100_003  # a demo record with a tracklist (sides A, B)


DEMO = (10, 0)
"""The demo collection of this module's tests: (records, plays)."""


def test_presenter_logs_merges_edits_and_deletes(qloop: qasync.QEventLoop, home: Path) -> None:
    async def body() -> None:
        async with Desktop.open(home) as desktop:
            presenter = RecordPresenter(desktop, RELEASE)
            failures: list[BaseException] = []
            presenter.failed.connect(failures.append)
            await presenter.load()
            detail = presenter.detail
            assert detail is not None and detail.release is not None
            assert detail.sides == release_sides(detail.release.tracks, detail.release.formats)
            assert [s.name for s in detail.styluses] == [
                "2M Blue",
                "VM95E",
            ]  # active, primary first
            assert detail.primary_id == detail.styluses[0].id
            assert presenter.history == []

            at = dt.datetime(2026, 11, 1, 20, 30, tzinfo=dt.UTC)
            side = detail.sides[0]
            form = EntryForm(at=at, stylus_id=detail.styluses[1].id, notes="first", sides=[side])
            assert await presenter.log("play", form)
            later = EntryForm(
                at=at + dt.timedelta(days=1),
                stylus_id=detail.primary_id,
                deep=True,
                sides=detail.sides[-1:],
            )
            assert await presenter.log("both", later)
            assert await presenter.log("cleaning", EntryForm(at=at - dt.timedelta(days=1)))
            kinds = [(e.kind, e.at) for e in presenter.history]
            assert kinds == [
                ("play", at + dt.timedelta(days=1, seconds=1)),
                ("cleaning", at + dt.timedelta(days=1)),
                ("play", at),
                ("cleaning", at - dt.timedelta(days=1)),
            ]
            first_play = presenter.history[2]
            assert (first_play.stylus_name, first_play.sides, first_play.notes) == (
                "VM95E",
                (side,),
                "first",
            )
            assert presenter.history[1].deep
            assert presenter.history[0].sides == tuple(detail.sides[-1:])  # "both" with a side

            moved = at + dt.timedelta(hours=2)
            assert await presenter.edit(first_play, EntryForm(at=moved, notes="edited"))
            edited = next(e for e in presenter.history if e.id == first_play.id)
            assert (edited.at, edited.notes, edited.stylus_id, edited.sides) == (
                moved,
                "edited",
                None,
                (),
            )
            assert await presenter.delete(edited)
            assert first_play.id not in {e.id for e in presenter.history}
            assert len(await desktop.plays.list_plays(release_id=RELEASE)) == 1
            assert not failures

            # a bad side and a time too far ahead are refused with a readable message
            assert not await presenter.log("play", EntryForm(at=at, sides=["Z"]))
            assert "has no side Z" in user_message(failures[-1])
            ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
            assert not await presenter.log("cleaning", EntryForm(at=ahead))
            assert isinstance(failures[-1], InvalidInput)
            assert user_message(failures[-1]).startswith("cleaning time:")
            assert not await presenter.edit(
                presenter.history[0], EntryForm(at=at, notes="x" * 10_001)
            )
            assert user_message(failures[-1]).startswith("notes:")

    run(qloop, body())


def test_dialog_logs_edits_and_deletes_with_confirmation(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, errors):
            dialog = RecordDialog(ctx, RELEASE)
            dialog.show()
            await dialog.loaded
            assert dialog.detail is not None
            # defaults: now, the primary stylus, no side ticked (the whole record)
            assert abs((dialog.chosen_time() - dt.datetime.now(dt.UTC)).total_seconds()) < 120
            assert dialog.stylus.currentText().startswith("2M Blue")
            assert [c.text() for c in dialog.side_checks] == dialog.detail.sides
            assert dialog.history_empty.isVisible()

            dialog.notes.setText("Sunday evening")
            dialog.side_checks[0].setChecked(True)
            dialog.log_play.click()
            await until(lambda: dialog.history.count() == 1, what="the play in the history")
            assert "2M Blue" in dialog.history.item(0).text()
            assert f"side {dialog.side_checks[0].text()}" in dialog.history.item(0).text()
            assert errors.toasts[-1] == "Logged a play"
            assert dialog.notes.text() == ""  # ready for the next one
            dialog.deep.setChecked(True)
            dialog.log_cleaning.click()
            await until(lambda: dialog.history.count() == 2, what="the cleaning")
            assert "deep clean" in dialog.history.item(0).text()

            # edit the play in the form beside the history
            dialog.history.setCurrentRow(1)
            dialog.edit_button.click()
            assert dialog.save_edit.isVisible() and not dialog.log_play.isVisible()
            assert dialog.notes.text() == "Sunday evening"
            dialog.notes.setText("Sunday, late")
            dialog.save_edit.click()
            await until(lambda: not dialog.save_edit.isVisible(), what="the edit saved")
            plays = await ctx.desktop.plays.list_plays(release_id=RELEASE)
            assert [p.notes for p in plays] == ["Sunday, late"]

            # a time too far ahead: the message in the dialog, nothing logged
            dialog.set_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
            dialog.log_play.click()
            await until(lambda: dialog.error.isVisible(), what="the error")
            assert dialog.error.text().startswith("play time:")
            assert len(await ctx.desktop.plays.list_plays(release_id=RELEASE)) == 1

            # delete asks first; Cancel keeps the play, Delete removes it
            row = next(i for i in range(2) if "Played" in dialog.history.item(i).text())
            dialog.history.setCurrentRow(row)
            dialog.delete_button.click()
            dialog.confirm.button(QMessageBox.StandardButton.Cancel).click()
            await asyncio.sleep(0.1)
            assert len(await ctx.desktop.plays.list_plays(release_id=RELEASE)) == 1
            dialog.history.setCurrentRow(row)
            dialog.delete_button.click()
            delete = next(b for b in dialog.confirm.buttons() if b.text() == "Delete")
            delete.click()
            await until(lambda: dialog.history.count() == 1, what="the play deleted")
            assert await ctx.desktop.plays.list_plays(release_id=RELEASE) == []
            assert not errors.reports
            dialog.close()

    run(qloop, body())


def test_dialog_for_a_missing_record_says_so(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, _errors):
            dialog = RecordDialog(ctx, 777)
            dialog.show()
            await asyncio.gather(dialog.loaded, return_exceptions=True)
            await until(lambda: dialog.error.isVisible(), what="the error")
            assert dialog.error.text() == "no release with id 777 in the local store"
            assert not dialog.log_play.isEnabled()
            dialog.close()

    run(qloop, body())
