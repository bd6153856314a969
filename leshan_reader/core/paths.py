"""Where the app keeps its data: the platform's user folders, or one folder chosen by the user.

``LESHAN_READER_HOME`` moves the whole app folder (archive, cache, settings, logs), which is what
tests and portable installs use; ``--db`` on any command picks just the archive file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "LeshanReader"
HOME_ENV = "LESHAN_READER_HOME"
ARCHIVE_FILE_NAME = "archive.sqlite3"
PORTABLE_FLAG_FILE = "portable.txt"


def _portable_home() -> Path | None:
    """A frozen app with ``portable.txt`` beside its executable keeps its data there."""
    if not getattr(sys, "frozen", False):
        return None
    exe_dir = Path(sys.executable).resolve().parent
    if (exe_dir / PORTABLE_FLAG_FILE).exists():
        return exe_dir / "data"
    return None


def is_portable() -> bool:
    """Running from a removable drive, as a portable install (see ``_portable_home``)."""
    return not os.environ.get(HOME_ENV) and _portable_home() is not None


def app_home() -> Path | None:
    """The single folder overriding the platform folders, if one is set."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    return _portable_home()


def data_dir() -> Path:
    home = app_home()
    if home is not None:
        return home
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    home = app_home()
    if home is not None:
        return home / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_archive_path() -> Path:
    return data_dir() / ARCHIVE_FILE_NAME
