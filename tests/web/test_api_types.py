"""The web UI's generated API types (frontend/src/api) match what the server publishes now:
regenerated from the live app's OpenAPI document and socket schema, byte for byte."""

from __future__ import annotations

from pathlib import Path

from scripts.web_types import FRONTEND, TARGETS, generate


def test_the_committed_api_types_are_current(tmp_path: Path) -> None:
    generated = generate(tmp_path)
    assert set(generated) == set(TARGETS)
    for name, text in generated.items():
        committed = (FRONTEND / "src" / "api" / name).read_text()
        assert committed == text, (
            f"frontend/src/api/{name} is stale: run `make web-types` and commit the result"
        )


def test_schema_names_are_unique_and_closed_sets_are_enums(tmp_path: Path) -> None:
    from scripts.web_types import openapi_document

    schemas = openapi_document()["components"]["schemas"]
    assert not [name for name in schemas if "__" in name or name.endswith(("-Input", "-Output"))]
    status = schemas["StatusOut"]["properties"]
    for indicator in ("CleanlinessOut", "RecencyOut"):
        assert status[indicator.removesuffix("Out").lower()]["$ref"].endswith(indicator)
        colour = schemas[indicator]["properties"]["colour"]
        assert colour["enum"] == ["green", "light_green", "pale_green", "amber", "red"]
        assert len(schemas[indicator]["properties"]["label"]["enum"]) >= 5
    assert schemas["WearOut"]["properties"]["colour"]["enum"][0] == "green"
