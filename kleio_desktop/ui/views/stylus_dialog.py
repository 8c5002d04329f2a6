"""The add / edit stylus dialog: name, manufacturer, lifespan, purchase date, in rotation,
and (when adding) a catalogue template to copy from (PRODUCT §1 stylus catalogue)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.ui.presenters.styluses import StylusValues
from kleio_desktop.ui.views._palette import SPACE, styled
from shared.protocol.entities import StylusTemplate


class StylusDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        initial: StylusValues | None,
        catalogue: tuple[StylusTemplate, ...] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.setSpacing(SPACE[3])
        form = QFormLayout()
        form.setSpacing(SPACE[2])
        self._catalogue = catalogue
        self.template = QComboBox()
        if catalogue:
            self.template.addItem("Start from scratch")
            for t in catalogue:
                self.template.addItem(f"{t.manufacturer} {t.model} · {t.lifespan_hours:,} h")
            form.addRow("Copy from", self.template)
            self.template.currentIndexChanged.connect(self._template_chosen)
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.name.setPlaceholderText("e.g. 2M Blue")
        self.manufacturer = QLineEdit()
        self.manufacturer.setMaxLength(200)
        self.lifespan = QSpinBox()
        self.lifespan.setRange(0, 100_000)
        self.lifespan.setSingleStep(100)
        self.lifespan.setSuffix(" h")
        self.lifespan.setSpecialValueText("Not set")
        self.bought = QCheckBox("Bought on")
        self.purchased = QDateEdit()
        self.purchased.setCalendarPopup(True)
        self.purchased.setDisplayFormat("d MMM yyyy")
        self.purchased.setDate(QDate.currentDate())
        self.purchased.setEnabled(False)
        self.bought.toggled.connect(self.purchased.setEnabled)
        self.active = QCheckBox("In rotation")
        self.primary = QCheckBox("Primary (used for new plays)")
        form.addRow("Name", self.name)
        form.addRow("Manufacturer", self.manufacturer)
        form.addRow("Lifespan", self.lifespan)
        row = QHBoxLayout()
        row.addWidget(self.bought)
        row.addWidget(self.purchased, 1)
        form.addRow("Purchase", row)
        form.addRow("", self.active)
        form.addRow("", self.primary)
        layout.addLayout(form)
        self.problem = QLabel("")
        styled(self.problem, "muted")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._check)
        self.fill(initial or StylusValues(name="", active=True))

    def fill(self, values: StylusValues) -> None:
        self.name.setText(values.name)
        self.manufacturer.setText(values.manufacturer)
        self.lifespan.setValue(values.lifespan_hours or 0)
        self.bought.setChecked(values.purchased_on is not None)
        if values.purchased_on is not None:
            bought = values.purchased_on
            self.purchased.setDate(QDate(bought.year, bought.month, bought.day))
        self.active.setChecked(values.active)
        self.primary.setChecked(values.primary)
        self._check()

    def _template_chosen(self, index: int) -> None:
        if index > 0:
            template = self._catalogue[index - 1]
            self.name.setText(template.model)
            self.manufacturer.setText(template.manufacturer)
            self.lifespan.setValue(template.lifespan_hours)

    def _check(self) -> None:
        ok = bool(self.name.text().strip())
        self.problem.setText("" if ok else "A stylus needs a name.")
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(ok)

    def values(self) -> StylusValues:
        return StylusValues(
            name=self.name.text().strip(),
            manufacturer=self.manufacturer.text().strip(),
            lifespan_hours=self.lifespan.value() or None,
            purchased_on=self.purchased.date().toPython() if self.bought.isChecked() else None,  # type: ignore[arg-type]
            active=self.active.isChecked(),
            primary=self.primary.isChecked(),
        )


def ask_stylus(
    parent: QWidget,
    title: str,
    initial: StylusValues | None,
    catalogue: tuple[StylusTemplate, ...] = (),
) -> StylusValues | None:
    dialog = StylusDialog(parent, title, initial, catalogue)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.values()
