"""Generate the web UI's API types (frontend/src/api/) from the live app's OpenAPI document
and the socket's JSON Schema, with openapi-typescript (from frontend/node_modules).

    uv run python scripts/web_types.py          # rewrite the committed files
    uv run python scripts/web_types.py --check  # exit 1 if they are not current

tests/web/test_api_types.py runs the check in the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
TARGETS = {
    "schema.d.ts": "openapi",
    "ws.d.ts": "ws",
}


def openapi_document() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from kleio_server.app import create_app
    from kleio_server.settings import Settings

    with tempfile.TemporaryDirectory() as data_dir:
        document: dict[str, Any] = create_app(Settings(data_dir=Path(data_dir))).openapi()
    return document


def ws_document() -> dict[str, Any]:
    """The socket's message schemas, wrapped as an OpenAPI document's components (which is
    what openapi-typescript reads)."""
    sys.path.insert(0, str(ROOT))
    from shared.protocol.ws_schema import message_schemas

    schemas = message_schemas()
    text = json.dumps(schemas["$defs"]).replace('"#/$defs/', '"#/components/schemas/')
    return {
        "openapi": "3.1.0",
        "info": {"title": schemas["title"], "version": "1"},
        "paths": {},
        "components": {"schemas": json.loads(text)},
    }


def generate(out_dir: Path) -> dict[str, str]:
    """Write the generated files into ``out_dir``; return {file name: text}."""
    tool = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists():
        raise RuntimeError(f"{tool} is missing: run `npm ci` in {FRONTEND} (or `make webui`)")
    documents = {"openapi": openapi_document(), "ws": ws_document()}
    generated = {}
    with tempfile.TemporaryDirectory() as work:
        for name, kind in TARGETS.items():
            source = Path(work) / f"{kind}.json"
            source.write_text(json.dumps(documents[kind], indent=1, sort_keys=True))
            target = out_dir / name
            subprocess.run(  # noqa: S603 - a fixed tool path
                [str(tool), str(source), "-o", str(target), "--default-non-nullable=false"],
                check=True,
                capture_output=True,
                text=True,
            )
            generated[name] = target.read_text()
    return generated


def main() -> int:
    committed = FRONTEND / "src" / "api"
    if "--check" in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as fresh:
            generated = generate(Path(fresh))
        stale = [n for n, text in generated.items() if (committed / n).read_text() != text]
        if stale:
            print(f"stale: {', '.join(stale)}; run `uv run python scripts/web_types.py`")
            return 1
        return 0
    generate(committed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
