from __future__ import annotations

from shared.domain.stylus_catalogue import STYLUS_CATALOGUE


def test_catalogue_is_product_section_1() -> None:
    entries = {(t.manufacturer, t.model): t.lifespan_hours for t in STYLUS_CATALOGUE}
    assert len(entries) == len(STYLUS_CATALOGUE) == 19
    assert entries[("Ortofon", "2M Red")] == 1000
    assert entries[("Audio-Technica", "AT-VM95E")] == 800
    assert entries[("Denon", "DL-110")] == 1500
    assert {m for m, _ in entries} == {"Ortofon", "Audio-Technica", "Nagaoka", "Grado", "Denon"}


def test_catalogue_order_is_by_code_point_not_collation() -> None:
    keys = [(t.manufacturer, t.model) for t in STYLUS_CATALOGUE]
    assert keys == sorted(keys)
    models = [m for make, m in keys if make == "Audio-Technica"]
    # "-" sorts before "3" by code point; a locale collation would ignore the hyphen.
    assert models.index("AT-VM95E") < models.index("AT33PTG/II")
