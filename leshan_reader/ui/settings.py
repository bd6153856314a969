"""User settings and saved window state, declared once (name, default, meaning).

Stored with QSettings in an INI file in the app's data folder, so ``LESHAN_READER_HOME`` (tests,
portable installs) moves them with the archive.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

from leshan_reader.core import paths
from leshan_reader.core.i18n import ZH


@dataclass(frozen=True)
class Option:
    name: str
    default: object
    help: str


OPTIONS = {
    option.name: option
    for option in (
        Option("language", ZH, "user interface language: zh_CN or en"),
        Option("script", "hans", "script of the reading pane: hans, hant, tw, twp, hk"),
        Option("font_size", 14, "reading pane font size in points"),
        Option("last_page", 0, "the page open when the window was closed"),
        Option("copy_as_printed", False, "copy text as printed (simplified) whatever the script shown"),
        Option("show_masthead", True, "show the masthead block of front pages"),
        Option("mark_terms", True, "mark glossary terms on the page"),
        Option("conversion_marks", False, "mark characters with several traditional forms (后/後)"),
    )
}


class Settings:
    def __init__(self) -> None:
        path = paths.data_dir() / "settings.ini"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.store = QSettings(str(path), QSettings.Format.IniFormat)

    def get(self, name: str):
        option = OPTIONS[name]
        value = self.store.value(name, option.default)
        if isinstance(option.default, bool):
            return value in (True, "true", "1", 1)
        if isinstance(option.default, int):
            try:
                return int(value)
            except (TypeError, ValueError):
                return option.default
        return value

    def set(self, name: str, value) -> None:
        if name not in OPTIONS:
            raise KeyError(name)
        self.store.setValue(name, value)

    # Window state is kept apart from settings: it is not something a user chooses.
    def window_state(self, key: str):
        return self.store.value(f"window/{key}")

    def set_window_state(self, key: str, value) -> None:
        self.store.setValue(f"window/{key}", value)

    def sync(self) -> None:
        self.store.sync()
