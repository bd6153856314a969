"""The main window: it builds the widgets, the menus and the toolbar, and wires signals in
``_connect_signals``. Archive work runs on workers; the window only shows results.

Signals used: IssueBrowser.page_chosen, SearchPanel.query_changed / hit_activated,
ReaderPane.link_to_page / missing_page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets  # Qt's enums, dialogs, message boxes: see leshan_reader.ui
from PySide6.QtCore import QByteArray, QDate, QLocale, QPoint, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCursor, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCalendarWidget,
    QLabel,
    QMainWindow,
    QSplitter,
    QToolBar,
    QVBoxLayout,
)

import leshan_reader
from leshan_reader.conversion import SCRIPTS, to_script
from leshan_reader.core import i18n
from leshan_reader.core.errors import Cancelled, UserError
from leshan_reader.core.i18n import t
from leshan_reader.core.progress import OPTIMIZING_INDEX, CancelToken
from leshan_reader.library import Library
from leshan_reader.search.engine import SearchOptions
from leshan_reader.search.query import parse_query
from leshan_reader.ui.glossary_panel import GlossaryPanel, TermPopup
from leshan_reader.ui.issue_browser import IssueBrowser
from leshan_reader.ui.reader import ReaderPane
from leshan_reader.ui.render import citation
from leshan_reader.ui.search_panel import PAGE_SIZE, SearchPanel
from leshan_reader.ui.settings import Settings
from leshan_reader.ui.workers import Worker

if TYPE_CHECKING:  # event classes are named for readers and checkers, made by Qt when needed
    from PySide6.QtGui import QCloseEvent, QShowEvent

SCRIPT_NAMES = {
    "hans": ("简体", "Simplified"),
    "hant": ("繁體", "Traditional"),
    "tw": ("臺灣正體", "Taiwan"),
    "twp": ("臺灣正體（含用語）", "Taiwan, with phrases"),
    "hk": ("香港繁體", "Hong Kong"),
}
# The glossary panel, hidden unless it was open when the window closed, is docked this long after
# the window is shown: docking needs the Qt namespace (see leshan_reader.ui).
DOCK_GLOSSARY_AFTER_MS = 250


class MainWindow(QMainWindow):
    def __init__(self, library: Library, settings: Settings, icon: QIcon | None = None) -> None:
        super().__init__()
        self.library = library  # the GUI thread's own connection: quick reads only
        self.settings = settings
        self.writer = Worker(library.path, self)  # imports: one writer at a time
        self.searcher = Worker(library.path, self)
        self.setObjectName("mainWindow")
        if icon is not None:
            self.setWindowIcon(icon)
        self.issues_browser = IssueBrowser(self)
        self.reader = ReaderPane(self)
        self.search = SearchPanel(self)
        self.splitter = QSplitter(parent=self)  # horizontal
        self.splitter.addWidget(self.issues_browser)
        self.splitter.addWidget(self.reader)
        self.splitter.addWidget(self.search)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([260, 760, 380])
        self.setCentralWidget(self.splitter)
        self.glossary_panel = GlossaryPanel(self)
        self.glossary_panel.hide()
        self._glossary_docked = False
        self._term_popup: TermPopup | None = None
        self.page_order: list[int] = []
        self.current_page_id: int | None = None
        self.search_token: CancelToken | None = None
        self.search_generation = 0
        self.completed_generation = 0
        self.last_query = ""
        self.last_options: dict = {}
        self.current_hit = -1
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        self._build_actions()
        self._build_menus_and_toolbar()
        self._connect_signals()
        self.retranslate()
        if self.settings.window_state("glossary_panel_open") in (True, "true"):
            self.dock_glossary_panel()  # on screen from the start: no late reflow of the page
        self._restore()

    # --- construction ----------------------------------------------------------------------

    def _action(self, shortcut=None, slot=None, checkable=False) -> QAction:
        action = QAction(self)
        if shortcut is not None:
            # setShortcuts, not setShortcut: choosing among setShortcut's overloads makes the Qt
            # namespace (see leshan_reader.ui).
            keys = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
            action.setShortcuts([QKeySequence(key) for key in keys])
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        S = QKeySequence.StandardKey
        self.act_import_files = self._action(S.Open, self.on_import_files)
        self.act_import_folder = self._action("Ctrl+Shift+O", self.on_import_folder)
        self.act_quit = self._action(S.Quit, self.close)
        self.act_quit.setShortcuts([QKeySequence("Ctrl+Q")])
        self.act_copy = self._action(S.Copy, self.on_copy)
        self.act_copy_citation = self._action("Ctrl+Shift+C", self.on_copy_with_citation)
        self.act_find = self._action(S.Find, self.on_focus_search)
        self.act_next_match = self._action(["F3", S.FindNext], self.reader.next_match)
        self.act_prev_match = self._action(["Shift+F3", S.FindPrevious], self.reader.previous_match)
        self.act_next_hit = self._action("Alt+Down", lambda: self.on_step_hit(1))
        self.act_prev_hit = self._action("Alt+Up", lambda: self.on_step_hit(-1))
        self.act_zoom_in = self._action(["Ctrl++", "Ctrl+="], lambda: self.on_zoom(1))
        self.act_zoom_out = self._action("Ctrl+-", lambda: self.on_zoom(-1))
        self.act_zoom_reset = self._action("Ctrl+0", self.on_zoom_reset)
        self.act_next_page = self._action(["Right", "Ctrl+PgDown"], lambda: self.on_step_page(1))
        self.act_prev_page = self._action(["Left", "Ctrl+PgUp"], lambda: self.on_step_page(-1))
        self.act_next_issue = self._action("Ctrl+Right", lambda: self.on_step_issue(1))
        self.act_prev_issue = self._action("Ctrl+Left", lambda: self.on_step_issue(-1))
        self.act_jump_date = self._action("Ctrl+G", self.on_jump_to_date)
        self.act_raw = self._action("Ctrl+R", self.on_toggle_raw, checkable=True)
        self.act_masthead = self._action(None, self.on_toggle_masthead, checkable=True)
        self.act_copy_as_printed = self._action(None, self.on_toggle_copy_as_printed, checkable=True)
        self.act_about = self._action(None, self.on_about)
        self.act_lookup = self._action("Ctrl+D", self.on_lookup)
        self.reader.view.lookup_action = self.act_lookup
        self.act_glossary = self.glossary_panel.toggleViewAction()
        self.act_glossary.setShortcuts([QKeySequence("Ctrl+Shift+G")])
        self.addAction(self.act_glossary)
        self.act_mark_terms = self._action(None, self.on_toggle_marks, checkable=True)
        self.act_conversion_marks = self._action(None, self.on_toggle_marks, checkable=True)
        self.script_group = QActionGroup(self)
        self.script_actions: dict[str, QAction] = {}
        for index, key in enumerate(SCRIPTS):
            action = self._action(f"Ctrl+{index + 1}" if index < 9 else None, checkable=True)
            action.setData(key)
            action.triggered.connect(lambda _=False, k=key: self.set_script(k))
            self.script_group.addAction(action)
            self.script_actions[key] = action
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in i18n.LANGUAGES:  # noqa: B007
            action = self._action(None, checkable=True)
            action.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self.language_group.addAction(action)
            self.language_actions[code] = action

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        self.menu_file.addActions([self.act_import_files, self.act_import_folder])
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_edit = bar.addMenu("")
        self.menu_edit.addActions([self.act_copy, self.act_copy_citation, self.act_copy_as_printed])
        self.menu_edit.addSeparator()
        self.menu_edit.addActions([self.act_find, self.act_next_match, self.act_prev_match,
                                   self.act_next_hit, self.act_prev_hit])
        self.menu_view = bar.addMenu("")
        self.menu_view.addActions([self.act_prev_page, self.act_next_page, self.act_prev_issue,
                                   self.act_next_issue, self.act_jump_date])
        self.menu_view.addSeparator()
        self.menu_view.addActions([self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset])
        self.menu_view.addSeparator()
        self.menu_view.addActions([self.act_raw, self.act_masthead])
        self.menu_view.addSeparator()
        self.menu_view.addActions([self.act_glossary, self.act_lookup, self.act_mark_terms])
        self.menu_script = bar.addMenu("")
        self.menu_script.addActions(list(self.script_actions.values()))
        self.menu_script.addSeparator()
        self.menu_script.addAction(self.act_conversion_marks)
        self.menu_language = bar.addMenu("")
        self.menu_language.addActions(list(self.language_actions.values()))
        self.menu_help = bar.addMenu("")
        self.menu_help.addAction(self.act_about)

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("mainToolbar")
        self.addToolBar(self.toolbar)
        self.toolbar.addActions([self.act_prev_issue, self.act_prev_page, self.act_next_page,
                                 self.act_next_issue, self.act_jump_date])
        self.toolbar.addSeparator()
        self.script_box = QComboBox(self)
        self.script_box.setObjectName("scriptBox")
        for key in SCRIPTS:
            self.script_box.addItem("", key)
        self.toolbar.addWidget(self.script_box)
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.act_raw, self.act_copy_citation, self.act_glossary])
        self.toolbar.addSeparator()
        self.hit_label = QLabel(self)
        self.toolbar.addActions([self.act_prev_hit])
        self.toolbar.addWidget(self.hit_label)
        self.toolbar.addActions([self.act_next_hit])

    def _connect_signals(self) -> None:
        self.issues_browser.page_chosen.connect(self.open_page)
        self.issues_browser.missing_day.connect(self.on_missing_day)
        self.reader.link_to_page.connect(self.open_page)
        self.reader.missing_page.connect(self.on_missing_page)
        self.search.query_changed.connect(self.on_query)
        self.search.hit_activated.connect(self.on_hit_activated)
        self.search.more_requested.connect(self.on_more_results)
        self.reader.term_clicked.connect(lambda ids: self.show_terms(ids))
        self.act_glossary.triggered.connect(self.dock_glossary_panel)
        self.glossary_panel.page_requested.connect(self.open_page)
        self.glossary_panel.occurrences_wanted.connect(self.on_occurrences_wanted)
        self.script_box.currentIndexChanged.connect(
            lambda i: self.set_script(self.script_box.itemData(i)))

    def retranslate(self) -> None:
        self.setWindowTitle(t("乐山日报阅读器", "Leshan Reader") + f" — {self.library.path.name}")
        texts = {
            self.act_import_files: t("导入文件(&I)…", "&Import Files…"),
            self.act_import_folder: t("导入文件夹…", "Import Folder…"),
            self.act_quit: t("退出(&Q)", "&Quit"),
            self.act_copy: t("复制(&C)", "&Copy"),
            self.act_copy_citation: t("复制并附引文", "Copy with Citation"),
            self.act_copy_as_printed: t("总是按原文（简体）复制", "Always Copy as Printed"),
            self.act_find: t("搜索(&F)", "&Find"),
            self.act_next_match: t("本版下一处", "Next Match on Page"),
            self.act_prev_match: t("本版上一处", "Previous Match on Page"),
            self.act_next_hit: t("下一条结果", "Next Result"),
            self.act_prev_hit: t("上一条结果", "Previous Result"),
            self.act_zoom_in: t("放大", "Zoom In"),
            self.act_zoom_out: t("缩小", "Zoom Out"),
            self.act_zoom_reset: t("原始大小", "Actual Size"),
            self.act_next_page: t("下一版", "Next Page"),
            self.act_prev_page: t("上一版", "Previous Page"),
            self.act_next_issue: t("下一期", "Next Issue"),
            self.act_prev_issue: t("上一期", "Previous Issue"),
            self.act_jump_date: t("跳转到日期…", "Go to Date…"),
            self.act_raw: t("原始OCR文本", "Raw OCR Text"),
            self.act_masthead: t("显示报头", "Show Masthead"),
            self.act_about: t("关于乐山日报阅读器", "About Leshan Reader"),
            self.act_lookup: t("查名词解释", "Look Up in Glossary"),
            self.act_glossary: t("名词解释面板", "Glossary Panel"),
            self.act_mark_terms: t("标出名词解释", "Mark Glossary Terms"),
            self.act_conversion_marks: t("标出繁简一对多的字", "Mark One-to-Many Conversions"),
        }
        for action, text in texts.items():
            action.setText(text)
            action.setToolTip(text.replace("(&", "(").replace("&", "") + (
                f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                if not action.shortcut().isEmpty() else ""))
        for key, action in self.script_actions.items():
            action.setText(t(*SCRIPT_NAMES[key]))
        for index in range(self.script_box.count()):
            self.script_box.setItemText(index, t(*SCRIPT_NAMES[self.script_box.itemData(index)]))
        for code, action in self.language_actions.items():
            action.setText(i18n.LANGUAGES[code])
        self.menu_file.setTitle(t("文件(&F)", "&File"))
        self.menu_edit.setTitle(t("编辑(&E)", "&Edit"))
        self.menu_view.setTitle(t("查看(&V)", "&View"))
        self.menu_script.setTitle(t("简繁(&S)", "&Script"))
        self.menu_language.setTitle(t("语言(&L)", "&Language"))
        self.menu_help.setTitle(t("帮助(&H)", "&Help"))
        self.toolbar.setWindowTitle(t("工具栏", "Toolbar"))
        self.issues_browser.calendar.setLocale(QLocale())
        self.search.retranslate()
        self.glossary_panel.retranslate()
        self._update_hit_label()
        self._update_status()
        if self.reader.page is not None:
            self.reader._render(keep_position=True)

    def _restore(self) -> None:
        geometry = self.settings.window_state("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                available = screen.availableGeometry()
                self.resize(min(1400, available.width()), min(900, available.height()))
        state = self.settings.window_state("state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for name, splitter in (("splitter", self.splitter), ("reader_splitter", self.reader.splitter),
                               ("browser_splitter", self.issues_browser.splitter)):
            sizes = self.settings.window_state(name)
            if isinstance(sizes, QByteArray):
                splitter.restoreState(sizes)
        self.reader.set_point_size(self.settings.get("font_size"))
        script = self.settings.get("script")
        self.set_script(script if script in SCRIPTS else "hans", rerender=False)
        self.act_masthead.setChecked(self.settings.get("show_masthead"))
        self.reader.show_masthead = self.settings.get("show_masthead")
        self.act_copy_as_printed.setChecked(self.settings.get("copy_as_printed"))
        self.act_mark_terms.setChecked(self.settings.get("mark_terms"))
        self.act_conversion_marks.setChecked(self.settings.get("conversion_marks"))
        self.reader.mark_terms = self.settings.get("mark_terms")
        self.reader.conversion_marks = self.settings.get("conversion_marks")
        self.language_actions[i18n.language()].setChecked(True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._glossary_docked:
            QTimer.singleShot(DOCK_GLOSSARY_AFTER_MS, self.dock_glossary_panel)

    def dock_glossary_panel(self) -> None:
        """Put the glossary panel where it was when the window closed (right, hidden, the first
        time). Done after the first paint; at once if anything needs the panel sooner."""
        if self._glossary_docked:
            return
        self._glossary_docked = True
        panel = self.glossary_panel
        shown = not panel.isHidden()  # its menu item was used before it was docked
        area = QtCore.Qt.DockWidgetArea.RightDockWidgetArea  # makes the Qt namespace, while idle
        if not self.restoreDockWidget(panel):
            self.addDockWidget(area, panel)
        if shown:
            panel.show()

    @property
    def term_popup(self) -> TermPopup:
        """Made on first use: a pop-up window needs a Qt enum (see leshan_reader.ui)."""
        if self._term_popup is None:
            self._term_popup = TermPopup(self)
            self._term_popup.page_requested.connect(self.open_page)
            self._term_popup.panel_requested.connect(self.show_in_glossary_panel)
        return self._term_popup

    def save_state(self) -> None:
        self.dock_glossary_panel()  # so that the saved state holds it
        self.settings.set_window_state("glossary_panel_open", not self.glossary_panel.isHidden())
        self.settings.set_window_state("geometry", self.saveGeometry())
        self.settings.set_window_state("state", self.saveState())
        self.settings.set_window_state("splitter", self.splitter.saveState())
        self.settings.set_window_state("reader_splitter", self.reader.splitter.saveState())
        self.settings.set_window_state("browser_splitter", self.issues_browser.splitter.saveState())
        self.settings.set("font_size", self.reader.point_size)
        self.settings.set("script", self.reader.script)
        if self.current_page_id is not None:
            self.settings.set("last_page", self.current_page_id)
        self.settings.sync()

    # --- archive -------------------------------------------------------------------------------

    def load_archive(self, open_page: int | None = None) -> None:
        """Fill the issue browser and open a page (the last one read, or the first)."""
        issues = self.library.issues()
        self.issues_browser.set_issues(issues)
        entries = self.library.glossary()
        self.reader.glossary = {entry["id"]: entry for entry in entries}
        self.reader.matcher = self.library.glossary_matcher()
        self.glossary_panel.set_entries(entries)
        self.page_order = self.library.page_order()
        self._update_status()
        wanted = open_page or self.settings.get("last_page")
        if wanted not in self.page_order:
            wanted = self.page_order[0] if self.page_order else None
        if wanted is not None:
            self.open_page(wanted)

    def _update_status(self) -> None:
        try:
            stats = self.library.counts()  # stats() reads all text: 0.56 s at five years
        except Exception:  # the archive may be mid-import on another connection: show nothing
            return
        # The write-ahead log holds recent imports until SQLite checkpoints them into the file.
        files = [self.library.path, self.library.path.with_name(self.library.path.name + "-wal")]
        size = sum(f.stat().st_size for f in files if f.exists()) / 2**20
        text = t(f"{stats['pages']} 版 · {stats['articles']} 篇 · {size:.1f} MB",
                 f"{stats['pages']} pages · {stats['articles']} articles · {size:.1f} MB")
        if self.library.read_only:
            text += t(" · 只读档案（不能导入）", " · read-only archive (imports disabled)")
        self.status_label.setText(text)

    def open_page(self, page_id: int, terms: list[str] | None = None, focus_article: int | None = None) -> None:
        try:
            page = self.library.page(page_id)
        except UserError as exc:
            self.statusBar().showMessage(str(exc), 5000)
            return
        self.current_page_id = page_id
        links = self._continuation_targets(page)
        self.reader.show_page(page, links, terms if terms is not None else self._current_terms(), focus_article)
        self.issues_browser.select_page(page_id)

    def _continuation_targets(self, page: dict) -> dict[int, int]:
        """Page numbers of the same issue that the archive holds: number -> page id."""
        for issue in self.issues_browser._issues:
            if any(p["id"] == page["id"] for p in issue["pages"]):
                if issue["date_precision"] != "day":
                    return {}
                return {p["page"]: p["id"] for p in issue["pages"] if p["page"]}
        return {}

    def _current_terms(self) -> list[str]:
        if not self.last_query.strip():
            return []
        try:
            return parse_query(self.last_query).positive_terms
        except UserError:
            return []

    # --- navigation ------------------------------------------------------------------------

    def on_step_page(self, step: int) -> None:
        if not self.page_order:
            return
        if self.current_page_id not in self.page_order:
            self.open_page(self.page_order[0])
            return
        index = self.page_order.index(self.current_page_id) + step
        if 0 <= index < len(self.page_order):
            self.open_page(self.page_order[index])
        else:
            self.statusBar().showMessage(t("已经是最后一版", "No more pages") if step > 0
                                         else t("已经是第一版", "This is the first page"), 3000)

    def on_step_issue(self, step: int) -> None:
        issues = self.issues_browser._issues
        for index, issue in enumerate(issues):
            if any(p["id"] == self.current_page_id for p in issue["pages"]):
                target = index + step
                if 0 <= target < len(issues):
                    self.open_page(issues[target]["pages"][0]["id"])
                return
        if issues:
            self.open_page(issues[0]["pages"][0]["id"])

    def on_jump_to_date(self) -> None:
        dialog = QtWidgets.QDialog(self)
        dialog.setWindowTitle(t("跳转到日期", "Go to Date"))
        calendar = QCalendarWidget(dialog)
        page = self.reader.page
        if page and page.get("date") and page.get("date_precision") == "day":
            y, m, d = (int(x) for x in page["date"].split("-"))
            calendar.setSelectedDate(QDate(y, m, d))
        standard = QtWidgets.QDialogButtonBox.StandardButton
        buttons = QtWidgets.QDialogButtonBox(standard.Ok | standard.Cancel, dialog)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(calendar)
        layout.addWidget(buttons)
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
            chosen = calendar.selectedDate()
            self.issues_browser.jump_to_date(dt.date(chosen.year(), chosen.month(), chosen.day()))

    def on_missing_day(self, day: str) -> None:
        self.statusBar().showMessage(t(f"档案中没有 {day} 的报纸", f"The archive has no issue of {day}"), 5000)

    def on_missing_page(self, number: int) -> None:
        self.statusBar().showMessage(t(f"第{number}版不在档案中", f"Page {number} is not in the archive"), 5000)

    # --- view ------------------------------------------------------------------------------

    def on_zoom(self, steps: int) -> None:
        self.reader.zoom(steps)

    def on_zoom_reset(self) -> None:
        self.reader.reset_zoom()

    def on_toggle_raw(self, checked: bool) -> None:
        self.reader.show_raw(checked)

    def on_toggle_masthead(self, checked: bool) -> None:
        self.settings.set("show_masthead", checked)
        self.reader.show_masthead = checked
        self.reader._render(keep_position=True)

    def on_toggle_copy_as_printed(self, checked: bool) -> None:
        self.settings.set("copy_as_printed", checked)

    def set_script(self, script: str, rerender: bool = True) -> None:
        self.script_actions[script].setChecked(True)
        self.script_box.blockSignals(True)
        self.script_box.setCurrentIndex(list(SCRIPTS).index(script))
        self.script_box.blockSignals(False)
        self.search.set_script(script)
        self.glossary_panel.set_script(script)
        if rerender:
            self.reader.set_script(script)
        else:
            self.reader.script = script
        self.settings.set("script", script)

    def set_language(self, code: str) -> None:
        i18n.set_language(code)
        self.settings.set("language", code)
        app = QApplication.instance()
        if hasattr(app, "install_qt_translation"):
            app.install_qt_translation(code)
        self.retranslate()

    # --- glossary ------------------------------------------------------------------------------

    def on_toggle_marks(self, _checked: bool = False) -> None:
        terms, conversion = self.act_mark_terms.isChecked(), self.act_conversion_marks.isChecked()
        self.settings.set("mark_terms", terms)
        self.settings.set("conversion_marks", conversion)
        self.reader.set_marks(terms, conversion)

    def show_terms(self, entry_ids: list[int], at=None) -> None:
        entries = [self.reader.glossary[i] for i in entry_ids if i in self.reader.glossary]
        if not entries:
            return
        if at is None:
            at = QCursor.pos() + QPoint(8, 12)
        self.term_popup.show_entries(entries, self.reader.script, at)

    def on_lookup(self) -> None:
        ids = self.reader.lookup_at_cursor()
        if not ids:
            self.statusBar().showMessage(t("名词解释中没有这个词。", "Not in the glossary."), 4000)
            return
        view = self.reader.view
        rect = view.cursorRect(view.textCursor())
        self.show_terms(ids[:3], view.viewport().mapToGlobal(rect.bottomLeft() + QPoint(0, 6)))

    def show_in_glossary_panel(self, entry_id: int) -> None:
        self.dock_glossary_panel()
        self.glossary_panel.show()
        self.glossary_panel.raise_()
        self.glossary_panel.show_entry(entry_id)

    def on_occurrences_wanted(self, entry_id: int) -> None:
        self.searcher.submit(lambda library: library.term_pages(entry_id),
                             lambda pages: self.glossary_panel.set_occurrences(entry_id, pages))

    # --- copy --------------------------------------------------------------------------------

    def _copy_text(self) -> str:
        text = self.reader.selected_text()
        if not text and self.reader.stack.currentWidget() is self.reader.raw:
            text = self.reader.raw.textCursor().selectedText().replace("\u2029", "\n")
        return text

    def on_copy(self) -> None:
        if self.reader.stack.currentWidget() is self.reader.raw:
            self.reader.raw.copy()
            return
        text = self._copy_text()
        if text:
            QGuiApplication.clipboard().setText(self._as_copied(text))

    def _as_copied(self, shown: str) -> str:
        """Copied text is in the displayed script unless 'copy as printed' is on."""
        if self.act_copy_as_printed.isChecked() and self.reader.script != "hans":
            printed = self.reader.selected_text_as_printed()
            if printed is not None:
                return printed
            from leshan_reader.conversion import convert

            return convert(shown, "t2s")  # a phrase conversion changed lengths: best effort
        return shown

    def citation_for_current(self) -> str:
        page = self.reader.page
        article = self.reader.article_at_cursor() or {}
        title = article.get("title", "")
        if self.reader.script != "hans" and not self.act_copy_as_printed.isChecked():
            title = to_script(title, self.reader.script)
        return citation(title, page["date"], page["date_precision"], page["page"])

    def on_copy_with_citation(self) -> None:
        if self.reader.page is None:
            return
        text = self._as_copied(self._copy_text())
        reference = self.citation_for_current()
        QGuiApplication.clipboard().setText(f"{text}\n\n{reference}" if text else reference)
        self.statusBar().showMessage(t("已复制引文：", "Copied: ") + reference, 5000)

    # --- search ------------------------------------------------------------------------------

    def on_focus_search(self) -> None:
        self.search.query.setFocus()
        self.search.query.selectAll()

    def on_query(self, query: str, options: dict) -> None:
        self.last_query, self.last_options = query, options
        if self.search_token is not None:
            self.search_token.cancel()
        self.search_generation += 1
        generation = self.search_generation
        self.current_hit = -1
        self._update_hit_label()
        if not query.strip():
            self.search.clear()
            self.reader.set_terms([])
            return
        self.search.show_searching()
        token = self.search_token = CancelToken()
        search_options = SearchOptions(limit=PAGE_SIZE, **options)

        def run(library):
            return library.search(query, search_options, cancel=token)

        def done(result) -> None:
            if generation != self.search_generation:
                return
            self.search.set_results(result.hits, result.total)
            self.reader.set_terms(self._current_terms())
            self.completed_generation = generation

        def failed(exc: BaseException, details: str) -> None:
            if generation != self.search_generation or isinstance(exc, Cancelled):
                return
            self.completed_generation = generation
            self.search.show_error(str(exc) if isinstance(exc, UserError) else
                                   t("搜索出错（程序缺陷）：", "Search failed (a bug): ") + repr(exc))

        self.searcher.submit(run, done, failed)

    def on_more_results(self) -> None:
        query, options = self.last_query, self.last_options
        offset = len(self.search.hits)
        generation = self.search_generation

        def run(library):
            return library.search(query, SearchOptions(limit=PAGE_SIZE, offset=offset, **options))

        def done(result) -> None:
            if generation == self.search_generation:
                self.search.set_results(result.hits, result.total, append=True)

        self.searcher.submit(run, done)

    def on_hit_activated(self, row: int) -> None:
        if not 0 <= row < len(self.search.hits):
            return
        self.current_hit = row
        hit = self.search.hits[row]
        self.search.results.setCurrentRow(row)
        self.open_page(hit.page_id, self._current_terms(), focus_article=hit.article_id)
        self._update_hit_label()

    def on_step_hit(self, step: int) -> None:
        if not self.search.hits:
            return
        row = self.current_hit + step if self.current_hit >= 0 else 0
        if 0 <= row < len(self.search.hits):
            self.on_hit_activated(row)

    def _update_hit_label(self) -> None:
        if self.current_hit >= 0 and self.search.total:
            self.hit_label.setText(t(f" 第 {self.current_hit + 1} / {self.search.total} 条 ",
                                     f" result {self.current_hit + 1} of {self.search.total} "))
        else:
            self.hit_label.setText("")

    # --- import ---------------------------------------------------------------------------------

    def on_import_files(self) -> None:
        files, _ = QtWidgets.QFileDialog.getOpenFileNames(
            self, t("导入报纸文本", "Import Page Files"), "",
            t("文本文件 (*.txt);;所有文件 (*)", "Text files (*.txt);;All files (*)"))
        if files:
            self.import_paths([Path(f) for f in files])

    def on_import_folder(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, t("导入文件夹", "Import Folder"))
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> None:
        if self.library.read_only:
            QtWidgets.QMessageBox.information(
                self, t("只读档案", "Read-only archive"),
                t("这个档案是只读的，不能导入。", "This archive is read-only: imports are disabled."))
            return
        token = CancelToken()
        dialog = QtWidgets.QProgressDialog(t("正在导入…", "Importing…"), t("取消", "Cancel"), 0, 0, self)
        dialog.setObjectName("importProgress")
        dialog.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(600)  # quick imports never flash a window
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(token.cancel)
        # The dialog closes at once; the pages written so far are indexed before the import
        # ends (a few seconds after most of a year), so say what is going on meanwhile.
        dialog.canceled.connect(lambda: self.statusBar().showMessage(
            t("正在取消导入：为已导入的页面建立检索索引…", "Cancelling the import: indexing the pages imported so far…")))
        self.import_dialog = dialog

        def run(library, report_progress):
            return library.import_paths(paths, report_progress, token)

        def progress(done: int, total: int, name: str) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)
            if name == OPTIMIZING_INDEX:
                dialog.setLabelText(t("正在整理检索索引…", "Optimising the search index…"))
            else:
                dialog.setLabelText(t(f"正在导入 {done}/{total}：{name}", f"Importing {done}/{total}: {name}"))

        def finished(report) -> None:
            dialog.hide()  # not close(): QProgressDialog's close emits canceled
            self.statusBar().clearMessage()
            self.last_import_report = report
            self.load_archive(open_page=self.current_page_id)
            self._show_import_summary(report)

        def failed(exc: BaseException, details: str) -> None:
            dialog.hide()
            self.statusBar().clearMessage()
            message = str(exc) if isinstance(exc, UserError) else t("导入出错（程序缺陷）：", "Import failed (a bug): ") + repr(exc)
            QtWidgets.QMessageBox.warning(self, t("导入失败", "Import failed"), message)

        self.writer.submit(run, finished, failed, progress)

    def _show_import_summary(self, report) -> None:
        lines = [t(f"新增 {report.count('imported')}，未变 {report.count('unchanged')}，"
                   f"替换 {report.count('replaced')}，拒绝 {report.count('rejected')}",
                   f"{report.count('imported')} imported, {report.count('unchanged')} unchanged, "
                   f"{report.count('replaced')} replaced, {report.count('rejected')} rejected")]
        if report.cancelled:
            lines.append(t("已取消：其余文件未导入。", "Cancelled: the remaining files were not imported."))
        for item in report.files:
            if item.outcome == "rejected":
                lines.append(f"✗ {item.source}: {item.reason}")
        for problem in report.problems:
            lines.append(f"• {problem}")
        icon = QtWidgets.QMessageBox.Icon
        box = QtWidgets.QMessageBox(icon.Information if report.ok else icon.Warning,
                                    t("导入完成", "Import finished"), lines[0], parent=self)
        box.setObjectName("importSummary")
        if len(lines) > 1:
            box.setDetailedText("\n".join(lines[1:]))
        box.setModal(False)
        box.show()
        self.import_summary = box

    # --- about / close -------------------------------------------------------------------------------

    def on_about(self) -> None:
        # The statistics count every character of the archive (0.56 s at five years): on the
        # search worker, and the box opens when they are in.
        self.searcher.submit(lambda library: library.stats(), self._show_about)

    def _show_about(self, stats: dict) -> None:
        QtWidgets.QMessageBox.about(
            self, t("关于乐山日报阅读器", "About Leshan Reader"),
            t(f"<h3>乐山日报阅读器 {leshan_reader.__version__}</h3><p>乐山日报档案的离线阅读与全文检索。</p>"
              f"<p>档案：{stats['pages']} 版，{stats['articles']} 篇，{stats['characters']:,} 字<br/>"
              f"{self.library.path}</p>",
              f"<h3>Leshan Reader {leshan_reader.__version__}</h3><p>Offline reading and full-text search of the Leshan Daily archive.</p>"
              f"<p>Archive: {stats['pages']} pages, {stats['articles']} articles, {stats['characters']:,} characters<br/>"
              f"{self.library.path}</p>"),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.search_token is not None:
            self.search_token.cancel()
        self.save_state()
        self.searcher.wait(3000)
        self.writer.wait(10000)
        super().closeEvent(event)
