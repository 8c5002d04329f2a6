"""The stylus catalogue (PRODUCT §1): templates a user copies a new stylus from.

One list for the server's ``/stylus-catalogue`` and the desktop, served in
``catalogue_order``: by manufacturer then model, compared by code point, so the order
does not depend on a database's collation.
"""

from __future__ import annotations

from shared.protocol.entities import StylusTemplate

_ENTRIES: tuple[tuple[str, str, int], ...] = (
    ("Ortofon", "2M Red", 1000),
    ("Ortofon", "2M Blue", 1500),
    ("Ortofon", "2M Bronze", 2000),
    ("Ortofon", "2M Black", 2000),
    ("Ortofon", "Super OM 10", 1000),
    ("Ortofon", "Concorde MkII Club", 1000),
    ("Audio-Technica", "AT-VM95E", 800),
    ("Audio-Technica", "AT-VM95EN", 1000),
    ("Audio-Technica", "AT-VM95ML", 1500),
    ("Audio-Technica", "AT-VM95SH", 2000),
    ("Audio-Technica", "AT33PTG/II", 1500),
    ("Nagaoka", "MP-110", 1000),
    ("Nagaoka", "MP-150", 1500),
    ("Nagaoka", "MP-200", 2000),
    ("Grado", "Prestige Black3", 1000),
    ("Grado", "Prestige Gold3", 1500),
    ("Grado", "Timbre Platinum3", 2000),
    ("Denon", "DL-103", 1500),
    ("Denon", "DL-110", 1500),
)


def catalogue_order(template: StylusTemplate) -> tuple[str, str]:
    return template.manufacturer, template.model


STYLUS_CATALOGUE: tuple[StylusTemplate, ...] = tuple(
    sorted(
        (StylusTemplate(manufacturer=m, model=n, lifespan_hours=h) for m, n, h in _ENTRIES),
        key=catalogue_order,
    )
)
"""Every template, in ``catalogue_order``."""
