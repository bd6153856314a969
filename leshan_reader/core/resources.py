"""One place that finds the files shipped with the app, wherever it runs from.

Three layouts exist: a source checkout or editable install (files at the repository's top level), a
wheel install (``seeds/`` copied to ``<prefix>/share/leshan-reader``), and a frozen PyInstaller
bundle (files under ``sys._MEIPASS``). Nothing is looked up relative to the working directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _roots() -> list[Path]:
    roots = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        roots.append(Path(bundle))
    roots.append(_PACKAGE_DIR.parent)  # source checkout / editable install
    roots.append(Path(sys.prefix) / "share" / "leshan-reader")  # wheel install
    return roots


def find_resource(relative: str) -> Path:
    """The first existing ``relative`` path among the known roots, or FileNotFoundError."""
    for root in _roots():
        candidate = root / relative
        if candidate.exists():
            return candidate
    searched = ", ".join(str(r) for r in _roots())
    raise FileNotFoundError(f"bundled file {relative!r} not found (looked in {searched})")


def seeds_dir() -> Path:
    return find_resource("seeds")
