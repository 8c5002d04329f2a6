"""Stylus manager page: wear as the query computes it, make primary, add from the
catalogue, edit, retire, delete only after a yes; stale actions report the failure."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

from kleio_desktop.core.queries.styluses import stylus_catalogue, styluses_with_wear
from kleio_desktop.ui.presenters.styluses import StylusesPresenter, StylusValues, wear_text
from kleio_desktop.ui.views._palette import card_background, muted
from kleio_desktop.ui.views.stylus_dialog import StylusDialog
from kleio_desktop.ui.views.styluses import StylusesPage
from shared.protocol.entities import StylusIn, StylusTemplate
from tests.desktop.ui.support import Rig


@pytest.fixture
def env(env: Rig) -> Rig:
    """The small collection, two styluses and plays on both."""
    d = env.desktop
    env.run(
        d.styluses.add_stylus(
            StylusIn(name="2M Blue", manufacturer="Ortofon", lifespan_hours=1000, primary=True)
        )
    )
    env.run(
        d.styluses.add_stylus(
            StylusIn(name="VM95E", manufacturer="Audio-Technica", lifespan_hours=2)
        )
    )
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    for release_id in (1, 2, 3):  # 46 + 33 + 74 minutes on the primary
        env.run(d.plays.log_play(release_id, at=at))
    env.run(d.plays.log_play(3, at=at, sides=["A"], stylus_id=by_name(env, "VM95E")))
    return env


def by_name(r: Rig, name: str):  # type: ignore[no-untyped-def]
    return next(s.id for s in r.run(r.desktop.styluses.list_styluses()) if s.name == name)


def open_page(r: Rig) -> StylusesPage:
    return r.open(StylusesPage(r.ctx))


def names(page: StylusesPage) -> list[str]:
    return [card.entry.stylus.name for card in page.card_widgets()]


def test_cards_show_the_wear_the_query_computes(env: Rig) -> None:
    page = open_page(env)
    expected = env.run(styluses_with_wear(env.desktop.store))
    cards = page.card_widgets()
    assert [c.entry for c in cards] == expected
    blue, vm = cards
    assert blue.wear.text() == "2.5 h played of 1,000 h"  # (46 + 33 + 74) / 60 = 2.55
    assert blue.state.text() == "Primary"
    assert "primary" not in blue.buttons and "primary" in vm.buttons
    assert vm.wear.text() == "0.6 h played of 2 h"  # side A of 74 minutes
    assert vm.bar.colour == expected[1].wear.colour == "light_green"  # 69 % left
    assert page.summary.text() == "2 in total · 2 in rotation"


def test_make_primary_add_from_catalogue_edit_and_retire(env: Rig) -> None:
    page = open_page(env)
    page.card_widgets()[1].buttons["primary"].click()
    env.wait_until(lambda: page.card_widgets()[0].entry.stylus.name == "VM95E")
    assert env.errors.toasts[-1] == "VM95E is now the primary stylus"
    assert env.run(env.desktop.styluses.primary()).name == "VM95E"  # type: ignore[union-attr]

    template = stylus_catalogue()[0]
    asked: list[tuple[str, tuple[StylusTemplate, ...]]] = []

    def pick_template(
        _parent: QWidget,
        title: str,
        initial: StylusValues | None,
        catalogue: tuple[StylusTemplate, ...],
    ) -> StylusValues:
        asked.append((title, catalogue))
        return StylusValues.from_template(template)

    page.ask_stylus = pick_template
    page.add()
    env.wait_until(lambda: len(page.card_widgets()) == 3)
    assert asked == [("Add a stylus", stylus_catalogue())]
    added = next(c for c in page.card_widgets() if c.entry.stylus.name == template.model)
    assert added.entry.stylus.manufacturer == template.manufacturer
    assert added.entry.stylus.lifespan_hours == template.lifespan_hours

    page.ask_stylus = lambda _p, _t, initial, _c: StylusValues(
        name="2M Blue (spare)", manufacturer="Ortofon", lifespan_hours=1200, active=False
    )
    page.edit(page.card_widgets()[1].entry)
    env.wait_until(lambda: "2M Blue (spare)" in names(page))
    spare = next(c for c in page.card_widgets() if c.entry.stylus.name == "2M Blue (spare)")
    assert spare.entry.stylus.lifespan_hours == 1200 and not spare.entry.stylus.active

    spare.buttons["retire"].click()
    env.wait_until(
        lambda: (
            names(page)[-1] == "2M Blue (spare)" and page.card_widgets()[-1].entry.stylus.retired
        )
    )
    assert "reinstate" in page.card_widgets()[-1].buttons


def test_delete_asks_first_and_keeps_the_plays(env: Rig) -> None:
    page = open_page(env)
    questions: list[str] = []
    page.confirm = lambda _w, _t, question: questions.append(question) or False  # type: ignore[func-returns-value]
    page.card_widgets()[1].buttons["delete"].click()
    env.settle()
    assert names(page) == ["2M Blue", "VM95E"] and len(questions) == 1
    assert "VM95E" in questions[0]

    page.confirm = lambda *_: True
    page.card_widgets()[1].buttons["delete"].click()
    env.wait_until(lambda: names(page) == ["2M Blue"])
    assert len(env.run(env.desktop.plays.list_plays(release_id=3))) == 2  # the play stayed


def test_a_stale_action_reports_the_failure(env: Rig) -> None:
    page = open_page(env)
    stale = page.card_widgets()[1]
    page.presenter.blockSignals(True)  # another program deletes it; the card is still shown
    env.run(env.desktop.styluses.delete_stylus(stale.entry.stylus.id))
    stale.buttons["primary"].click()
    env.wait_until(lambda: bool(env.errors.reported))
    message, retry = env.errors.reported[-1]
    assert message == f"no stylus with id {stale.entry.stylus.id} in the local store"
    assert retry is not None


def test_an_invalid_stylus_is_refused_with_a_message(env: Rig) -> None:
    presenter = StylusesPresenter(env.desktop.store, env.desktop.styluses, env.bridge, env.errors)
    ok = env.run(presenter.add(StylusValues(name="x" * 201)))
    assert not ok
    assert env.errors.reported[-1][0].startswith("invalid stylus:")
    assert [s.stylus.name for s in env.run(styluses_with_wear(env.desktop.store))] == [
        "2M Blue",
        "VM95E",
    ]


def test_page_refreshes_when_a_play_adds_wear(env: Rig) -> None:
    page = open_page(env)
    before = page.card_widgets()[0].wear.text()
    env.run(env.desktop.plays.log_play(1))  # 46 more minutes on the primary
    env.wait_until(lambda: page.card_widgets()[0].wear.text() != before)
    assert page.card_widgets()[0].wear.text() == "3.3 h played of 1,000 h"
    assert wear_text(page.presenter.styluses[0]) == "3.3 h played of 1,000 h"


def test_the_dialog_copies_a_template_and_needs_a_name(qapp: QApplication) -> None:
    catalogue = stylus_catalogue()
    dialog = StylusDialog(None, "Add a stylus", None, catalogue)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled() and dialog.problem.text() == "A stylus needs a name."
    dialog.template.setCurrentIndex(1)
    first = catalogue[0]
    assert save.isEnabled()
    values = dialog.values()
    assert (values.name, values.manufacturer, values.lifespan_hours) == (
        first.model,
        first.manufacturer,
        first.lifespan_hours,
    )
    assert values.purchased_on is None and values.active and not values.primary
    dialog.bought.setChecked(True)
    dialog.purchased.setDate(QDate(2024, 5, 1))
    dialog.lifespan.setValue(0)
    values = dialog.values()
    assert values.purchased_on == dt.date(2024, 5, 1) and values.lifespan_hours is None

    edit = StylusDialog(
        None, "Edit", StylusValues("Old", "Shure", 500, dt.date(2019, 1, 10), False)
    )
    assert edit.values() == StylusValues("Old", "Shure", 500, dt.date(2019, 1, 10), False, False)


def test_a_switch_to_dark_restyles_the_page(env: Rig, qapp: QApplication) -> None:
    page = open_page(env)
    page.show()
    card = page.card_widgets()[0]
    light = qapp.palette()
    assert card_background() == "#ffffff" and "#ffffff" in card.styleSheet()
    dark = QPalette(light)
    for role, colour in (
        (QPalette.ColorRole.Window, "#1e1f22"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#26282c"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
    ):
        dark.setColor(role, QColor(colour))
    try:
        qapp.setPalette(dark)
        env.wait_until(lambda: "#2a2c31" in card.styleSheet())
        assert muted() == "#a7a9b0" and muted() in card.meta.styleSheet()
    finally:
        qapp.setPalette(light)
        page.close()
