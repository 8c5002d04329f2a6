"""Histories every run checks before the drawn ones (Hypothesis ``@example``)."""

from __future__ import annotations

from tests.differential import history as h

_CLEANED = (h.DAYS - 40) * 24 + 10  # 40 days ago, 10:00 UTC

ISSUE_9 = h.History(
    releases=(
        h.ReleaseSpec(
            formats=(h.FormatSpec("Vinyl", 1, ("LP", "Album")),),
            tracks=(("A1", 1010), ("A2", 1000), ("B1", 1054)),  # 51.07 min, estimate 44
            genre="Jazz",
            details_early=True,
        ),
        h.ReleaseSpec(
            formats=(h.FormatSpec("Vinyl", 1, ("LP",)),),
            tracks=(),
            genre="Rock",
            details_early=False,
        ),
    ),
    steps=(
        h.Step("rest", (h.AddStylus(lifespan=2, primary=True),)),
        # issue 9's reproduction: clean record 0, three plays, clean record 1, one push
        h.Step(
            "push",
            (
                h.LogCleaning(0, _CLEANED, deep=False),
                h.LogPlay(0, _CLEANED + 34, "primary", 0),
                h.LogPlay(0, _CLEANED + 58, "primary", 0),
                h.LogPlay(0, _CLEANED + 82, "primary", 0),
                h.LogCleaning(1, _CLEANED + 19 * 24, deep=False),
            ),
        ),
        h.Step("rest", (h.LogPlay(1, _CLEANED + 20 * 24, "primary", 1), h.DetailsArrive(1))),
    ),
)
"""Issue 9: a push mixing two records' cleanings and plays (plays since cleaning), and wear
from a play of a record whose tracklist sums to 51.07 min (its format estimate is 44)."""

_DAY = (h.DAYS - 3) * 24 + 8
PREDECESSOR = h.History(
    releases=(
        h.ReleaseSpec(
            formats=(h.FormatSpec("Vinyl", 2, ("LP",)),),
            tracks=(("A1", 600), ("B1", 700), ("C1", 800)),
            genre="Jazz",
            details_early=True,
        ),
    ),
    steps=(
        # a predecessor file: a stylus, a play with it, a cleaning; then, by REST in the same
        # step, the play (known by the id the import derived) is edited and a stylus made primary
        h.Step(
            "legacy",
            (
                h.AddStylus(lifespan=1, primary=False),
                h.LogPlay(0, _DAY, 0, 0),
                h.LogCleaning(0, _DAY - 1, deep=True),
                h.EditPlay(0, None, _DAY + 1, 1),
                h.MakePrimary(0),
            ),
        ),
        h.Step("push", (h.LogPlay(0, _DAY + 2, "primary", 2), h.Delete("cleaning", 0))),
    ),
)
"""The legacy import's rows (ids derived from the predecessor's) edited by the paths after it."""
