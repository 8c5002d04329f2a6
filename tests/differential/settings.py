"""Hypothesis settings of the differential tests: a bounded run in the suite, a long one by
``make differential`` (``KLEIO_DIFF_EXAMPLES``); derandomized in CI (``CI`` set).

The bounded run reports the first failing history as found (each history is checked after
every step, so the report names the step and the numbers); shrinking it to a minimal one
takes minutes on a shared machine, so only the long run (or ``KLEIO_DIFF_SHRINK=1``) does."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

EXAMPLES = int(os.environ.get("KLEIO_DIFF_EXAMPLES", "8"))
SHRINK = os.environ.get("KLEIO_DIFF_SHRINK", "") not in ("", "0")

DIFFERENTIAL = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    phases=tuple(Phase) if SHRINK else tuple(p for p in Phase if p is not Phase.shrink),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
