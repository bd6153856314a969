"""Starting the reader: the Qt application, translations, the archive, the window; ``--smoke``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6 import QtCore, QtWidgets  # QMessageBox: see leshan_reader.ui
from PySide6.QtWidgets import QApplication

from leshan_reader.conversion import SCRIPTS, to_script
from leshan_reader.core import i18n
from leshan_reader.core.errors import UserError
from leshan_reader.core.i18n import t
from leshan_reader.core.resources import find_resource
from leshan_reader.library import Library
from leshan_reader.ui.mainwindow import MainWindow
from leshan_reader.ui.settings import Settings

SMOKE_QUERY = "乐山"
CONVERTER_WARM_UP_DELAY_MS = 300  # after the first page is painted


class ReaderApplication(QApplication):
    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.setApplicationName("LeshanReader")
        self.setApplicationDisplayName("乐山日报阅读器")
        self.setOrganizationName("LeshanReader")
        self._translators: list[QTranslator] = []

    def install_qt_translation(self, language: str) -> None:
        """Qt's own buttons and dialogs (OK, Cancel, file dialogs) in the chosen language."""
        for translator in self._translators:
            self.removeTranslator(translator)
        self._translators.clear()
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China) if language == i18n.ZH
                           else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        if language == i18n.ZH:
            folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            translator = QTranslator(self)
            if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
                self.installTranslator(translator)
                self._translators.append(translator)


def app_icon() -> QIcon | None:
    """The window icon, from the rendered PNGs (no SVG plugin needed in a frozen build)."""
    try:
        folder = find_resource("resources/icons")
    except FileNotFoundError:
        return None
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        png = folder / f"leshan-reader-{size}.png"
        if png.exists():
            icon.addFile(str(png))
    return None if icon.isNull() else icon


def _wait_until(condition, timeout_ms: int = 30000) -> None:
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_ms / 1000
    while not condition() and time.perf_counter() < deadline:
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def run(args) -> int:
    started = getattr(args, "started", None) or time.perf_counter()
    qt_argv = sys.argv[:1]
    if getattr(args, "qt_platform", None):
        qt_argv += ["-platform", args.qt_platform]
    app = QApplication.instance() or ReaderApplication(qt_argv)
    settings = Settings()
    i18n.set_language(settings.get("language"))
    if isinstance(app, ReaderApplication):
        app.install_qt_translation(i18n.language())
    try:
        library = Library.connect(args.db)
    except UserError as exc:
        QtWidgets.QMessageBox.critical(None, t("无法打开档案", "Cannot open the archive"), str(exc))
        print(f"leshan-reader: {exc}", file=sys.stderr)
        return 2
    window = MainWindow(library, settings, app_icon())
    ready = {"done": False, "error": None, "window": None, "converters": False}

    def show_window() -> None:
        window.show()
        app.processEvents()
        ready["window"] = (time.perf_counter() - started) * 1000

    def warm_up_converters() -> None:
        # Off the GUI thread, so that the first 简/繁 switch does not pay for loading OpenCC's
        # dictionaries; and only once the first page is on screen, because OpenCC's constructor
        # holds the GIL: started before the first paint it delayed start-up by ~120 ms (median
        # 581 -> 455 ms, benchmarks/bench_gui.py).
        window.searcher.submit(lambda _library: [to_script("乐山日报", script) for script in SCRIPTS],
                               lambda _: ready.update(converters=True))

    def archive_ready(_=None) -> None:
        window.load_archive()
        ready["done"] = True
        QTimer.singleShot(CONVERTER_WARM_UP_DELAY_MS, warm_up_converters)

    def archive_failed(exc: BaseException, details: str) -> None:
        ready["done"], ready["error"] = True, exc
        QtWidgets.QMessageBox.critical(window, t("无法打开档案", "Cannot open the archive"), str(exc))

    if library.needs_maintenance():
        show_window()
        window.statusBar().showMessage(t("正在准备档案…", "Preparing the archive…"))

        def maintain(worker_library, progress):
            worker_library.was_new = library.was_new
            worker_library.maintain(progress=progress)

        def preparing(done: int, total: int, _message: str) -> None:
            # After an upgrade the search index is rebuilt: about 10 s a year of pages.
            percent = f" {100 * done // total}%" if total else ""
            window.statusBar().showMessage(t(f"正在准备档案…{percent}", f"Preparing the archive…{percent}"))

        window.writer.submit(maintain, archive_ready, archive_failed, preparing)
    else:
        # Filled before it is shown: one paint with the page, not an empty window painted and then
        # the page (window built to page painted: 79 -> 61 ms, median of twenty alternating runs).
        archive_ready()
        show_window()
    if not getattr(args, "smoke", False):
        return app.exec()
    return _smoke(app, window, started, ready, args)


def _smoke_report(report: dict, args) -> None:
    line = json.dumps(report, ensure_ascii=False)
    if sys.stdout is not None:  # a windowed Windows exe has no stdout: --smoke-output is for it
        print(line, flush=True)
    if getattr(args, "smoke_output", None):
        Path(args.smoke_output).write_text(line + "\n", encoding="utf-8")


def _smoke(app, window: MainWindow, started: float, ready: dict, args) -> int:
    """Exercise the real window once and report timings (tests and the frozen build use it)."""
    _wait_until(lambda: ready["done"])
    if ready["error"] is not None or window.reader.page is None:
        _smoke_report({"error": str(ready["error"] or "no page shown")}, args)
        return 1
    app.processEvents()
    first_page = (time.perf_counter() - started) * 1000
    first_page_wall = time.time()  # benchmarks compare it with when they started the process
    qt_namespace_made = "Qt" in vars(QtCore)  # should not be yet: see leshan_reader.ui
    t0 = time.perf_counter()
    window.search.query.setText(SMOKE_QUERY)
    window.on_query(SMOKE_QUERY, window.search.options())
    generation = window.search_generation
    _wait_until(lambda: window.completed_generation == generation, 30000)
    search_ms = (time.perf_counter() - t0) * 1000
    if window.search.total == 0:
        _smoke_report({"error": "the smoke search found nothing"}, args)
        return 1
    window.on_hit_activated(0)
    _wait_until(lambda: ready["converters"])  # the switch as a reader meets it after start-up
    t0 = time.perf_counter()
    window.set_script("hant")
    app.processEvents()
    converted = window.reader.view.toPlainText()
    window.set_script("hans")
    app.processEvents()
    toggle_ms = (time.perf_counter() - t0) * 1000
    report = {
        "startup": round(ready["window"], 1),
        "first_page": round(first_page, 1),
        "search": round(search_ms, 1),
        "toggle": round(toggle_ms, 1),
        "hits": window.search.total,
        "traditional_sample": converted[:20],
        "glossary_entries": len(window.reader.glossary),
        "first_page_wall": round(first_page_wall, 3),
        "qt_namespace_before_first_page": qt_namespace_made,
        "icon": not window.windowIcon().isNull(),
    }
    _smoke_report(report, args)
    window.close()
    # A bundle missing its seed pages, glossary or icon must fail the smoke test, not pass it.
    return 0 if report["glossary_entries"] and report["icon"] and report["traditional_sample"] else 1
