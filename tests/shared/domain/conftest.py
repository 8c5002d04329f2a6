"""Keep Hypothesis' cache out of the repository root.

pyproject's ``norecursedirs`` replaces pytest's defaults, so a ``.hypothesis`` folder
in the root makes collection warn (and warnings are errors).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "kleio-hypothesis")
