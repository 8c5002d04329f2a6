"""Archive page: archived records with reason and date, restore, archive by hand with a
reason; a change made elsewhere shows up; a stale restore is reported."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kleio_desktop.core.services.collection import CollectionEntry
from kleio_desktop.ui.presenters.archive import MANUAL_REASONS, ArchivePresenter
from kleio_desktop.ui.views.archive import ArchiveDialog, ArchivePage
from shared.protocol.entities import ArchiveReason
from tests.desktop.ui.support import Rig


def open_page(r: Rig) -> ArchivePage:
    return r.open(ArchivePage(r.ctx))


def rows(page: ArchivePage) -> list[tuple[str, str]]:
    table = page.table
    return [
        (table.item(r, 0).text(), table.item(r, 1).text())  # type: ignore[union-attr]
        for r in range(table.rowCount())
    ]


def test_lists_archived_records_and_restores_one(env: Rig) -> None:
    page = open_page(env)
    assert rows(page) == [("Remain in Light — Talking Heads", "Duplicate")]
    assert page.table.item(0, 2).text() != ""  # type: ignore[union-attr]
    assert page.summary.text() == "1 archived record"
    page.restore_buttons[0].click()
    env.wait_until(lambda: page.stack.showing == "empty")
    assert env.errors.toasts == ["Restored Remain in Light — Talking Heads to the collection"]
    active = env.run(env.desktop.collection.list_items(archived=False))
    assert 104 in {e.item.instance_id for e in active}


def test_archive_by_hand_with_a_reason(env: Rig) -> None:
    page = open_page(env)
    offered: list[list[str]] = []

    def choose(
        _parent: QWidget, entries: list[CollectionEntry]
    ) -> tuple[CollectionEntry, ArchiveReason]:
        offered.append([e.release.title for e in entries if e.release])
        return entries[0], "mistake"

    page.ask_archive = choose
    page.archive_button.click()
    env.wait_until(lambda: len(rows(page)) == 2)
    assert offered == [["A Love Supreme", "Kind of Blue", "Selected Ambient Works"]]
    assert ("A Love Supreme — John Coltrane", "Added by mistake") in rows(page)
    archived = env.run(env.desktop.collection.list_items(archived=True))
    assert {(e.item.instance_id, e.item.archive_reason) for e in archived} == {
        (102, "mistake"),
        (104, "duplicate"),
    }


def test_the_dialog_narrows_and_returns_the_choice(env: Rig) -> None:
    presenter = ArchivePresenter(env.desktop.collection, env.bridge, env.errors)
    entries = env.run(presenter.candidates())
    assert entries is not None
    dialog = ArchiveDialog(None, entries)
    assert dialog.list.count() == 3
    dialog.search.setText("aphex")
    assert dialog.list.count() == 1
    dialog.list.setCurrentRow(0)
    dialog.reason.setCurrentIndex(MANUAL_REASONS.index("duplicate"))
    chosen = dialog.chosen()
    assert chosen is not None
    assert (chosen[0].item.instance_id, chosen[1]) == (103, "duplicate")
    assert "removed_on_discogs" not in MANUAL_REASONS


def test_an_archive_made_elsewhere_appears(env: Rig) -> None:
    page = open_page(env)
    env.run(env.desktop.collection.archive(101, "user"))
    env.wait_until(lambda: len(rows(page)) == 2)
    assert rows(page)[0] == ("Kind of Blue — Miles Davis", "My choice")  # newest first


def test_a_stale_restore_is_reported(env: Rig) -> None:
    page = open_page(env)
    page.presenter.blockSignals(True)  # the list on screen goes stale
    env.run(env.desktop.collection.restore(104))
    page.restore_buttons[0].click()
    env.wait_until(lambda: bool(env.errors.reported))
    message, retry = env.errors.reported[-1]
    assert message == "collection item 104 is not archived"
    assert retry is not None and env.errors.toasts == []
