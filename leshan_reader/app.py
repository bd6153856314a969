"""The GUI entry point. Qt is imported only from here and from ``leshan_reader.ui``."""

from __future__ import annotations


def run_gui(args) -> int:
    try:
        from leshan_reader.ui.application import run
    except ImportError as exc:  # the window is not built yet, or Qt's system libraries are missing
        import sys

        print(f"leshan-reader: the reader window cannot start: {exc}", file=sys.stderr)
        return 2
    return run(args)
