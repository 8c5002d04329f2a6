"""Import from the old Kleio (the first run's step and Settings): runs
``Desktop.import_legacy``, relays its progress, and says in one sentence what came in.

Cancelling the task that awaits ``import_file`` stops the import between two batches; what
was written stays, and importing the file again goes on from there."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.services.legacy import LegacyOutcome, LegacyProgress

FILE_FILTER = "Kleio database (*.db);;All files (*)"
"""What the file dialogs offer (the old Kleio kept kleio.db, or sqlite.db in development)."""

STAGE_LABELS = {
    "releases": "records",
    "folders": "folders",
    "collection": "collection",
    "styluses": "styluses",
    "plays": "plays",
    "cleanings": "cleanings",
}


def describe_progress(progress: LegacyProgress) -> str:
    stage = STAGE_LABELS.get(progress.stage, progress.stage)
    return f"Importing from the old Kleio: {stage} · {progress.done:,} of {progress.total:,} rows"


def describe_outcome(outcome: LegacyOutcome) -> str:
    """What an import brought, for a toast or the first run's page."""
    report = outcome.report
    created = report.created
    text = (
        f"Imported {created.get('plays', 0):,} plays, {created.get('cleanings', 0):,} "
        f"cleanings, {created.get('styluses', 0):,} styluses and "
        f"{created.get('collection', 0):,} records from the old Kleio; "
        f"{report.unchanged:,} were here already."
    )
    if report.problems:
        count = len(report.problems)
        text += f" {count:,} row{'s' if count != 1 else ''} could not be read."
    if not outcome.for_user:
        text += " Not paired yet: importing the same file on your server too would double it."
    return text


class LegacyPresenter(QObject):
    progress = Signal(object)  # LegacyProgress
    finished = Signal(str)  # describe_outcome

    def __init__(self, desktop: Desktop) -> None:
        super().__init__()
        self._desktop = desktop

    async def import_file(self, path: Path) -> str:
        """Import the old Kleio's database at ``path``; raises ``NotALegacyFile`` (nothing
        imported) when it is not one."""
        outcome = await self._desktop.import_legacy(path, progress=self.progress.emit)
        text = describe_outcome(outcome)
        self.finished.emit(text)
        return text
