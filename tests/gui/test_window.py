"""The real window, driven as a user drives it (pytest-qt, offscreen)."""

import threading

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QPushButton

pytestmark = pytest.mark.gui


def page_source(window):
    return window.reader.page["source"]


def type_text(widget, text):
    """Type as a Chinese input method does: a committed string (QTest cannot send CJK keys)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def search(qtbot, window, text):
    window.search.query.setFocus()
    type_text(window.search.query, text)
    qtbot.waitUntil(lambda: window.completed_generation == window.search_generation
                    and window.search.query.text() == text and window.last_query == text, timeout=10000)


def test_it_opens_on_the_archive_and_pages_with_the_arrow_keys(make_window, qtbot):
    window = make_window()
    order = window.page_order
    assert window.current_page_id == order[0]
    window.reader.view.setFocus()
    qtbot.keyClick(window.reader.view, Qt.Key.Key_Right)
    assert window.current_page_id == order[1]
    qtbot.keyClick(window.reader.view, Qt.Key.Key_Left)
    assert window.current_page_id == order[0]
    header = window.reader.header.text()
    assert "2021（日期未印）" in header and "第3版" in header


def test_the_calendar_and_the_tree_open_issues_by_date(make_window, qtbot):
    window = make_window()
    window.issues_browser.calendar.clicked.emit(QDate(2022, 6, 30))
    assert page_source(window) == "001_163a9bebb00dc6d4.txt"
    window.issues_browser.calendar.clicked.emit(QDate(2022, 6, 29))
    assert page_source(window) == "001_163a9bebb00dc6d4.txt"  # no issue that day: stays
    assert "没有 2022-06-29" in window.statusBar().currentMessage()
    labels = []
    root = window.issues_browser.tree.invisibleRootItem()
    stack = [root.child(i) for i in range(root.childCount())]
    while stack:
        item = stack.pop()
        labels.append(item.text(0))
        stack.extend(item.child(i) for i in range(item.childCount()))
    assert "2021（日期未印）" in labels and "2021年9月15日" in labels


def test_the_window_is_built_as_designed_without_qt_enums(make_window, qtbot):
    """Orientations, interaction flags and the calendar's marks are set without the Qt namespace
    (by property name, from a palette: see leshan_reader.ui); a misspelt name would fail silently."""
    window = make_window()
    assert window.splitter.orientation() == Qt.Orientation.Horizontal
    assert window.reader.splitter.orientation() == Qt.Orientation.Horizontal
    assert window.issues_browser.splitter.orientation() == Qt.Orientation.Vertical
    flags = Qt.TextInteractionFlag
    assert window.reader.view.textInteractionFlags() == flags.TextSelectableByMouse | flags.LinksAccessibleByMouse
    assert window.reader.header.textInteractionFlags() == flags.TextSelectableByMouse
    marked = window.issues_browser.calendar.dateTextFormat(QDate(2021, 9, 15))
    assert marked.background().color().name() == "#c8e6c9"
    assert marked.background().style() == Qt.BrushStyle.SolidPattern
    assert window.issues_browser.calendar.dateTextFormat(QDate(2021, 9, 16)).background().style() == Qt.BrushStyle.NoBrush


def test_search_result_opens_the_page_with_every_match_highlighted(make_window, qtbot):
    window = make_window()
    search(qtbot, window, "金口河区")
    assert window.search.total == len(window.search.hits) == 2
    assert "共 2 篇" in window.search.status.text()
    window.on_hit_activated(0)
    hit = window.search.hits[0]
    assert window.current_page_id == hit.page_id
    story_matches = [m for m in window.reader.matches if m.article_id == hit.article_id]
    assert len(story_matches) == hit.matches
    assert window.reader.current_match == window.reader.matches.index(story_matches[0])
    html = window.reader.view.toHtml()
    assert html.count("background-color:#ffd54f") + html.count("background-color:#ff9800") >= len(window.reader.matches)
    window.reader.next_match()
    assert window.reader.current_match == window.reader.matches.index(story_matches[1])
    assert "第 1 / 2 条" in window.hit_label.text()
    qtbot.keyClick(window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert "第 2 / 2 条" in window.hit_label.text()
    assert window.current_page_id == window.search.hits[1].page_id


def test_typing_a_new_query_replaces_the_results(make_window, qtbot):
    window = make_window()
    search(qtbot, window, "习近平")
    first = window.search.total
    window.search.query.clear()
    search(qtbot, window, "火星基地")
    assert first > 0 and window.search.total == 0 and window.search.results.count() == 0


def test_a_bad_query_gets_a_message_not_a_crash(make_window, qtbot):
    window = make_window()
    search(qtbot, window, "-茶叶")
    assert "只能排除" in window.search.status.text() or "at least one" in window.search.status.text() \
        or "term to find" in window.search.status.text()


def test_the_script_toggle_converts_the_reading_pane_and_results(make_window, qtbot):
    window = make_window()
    window.issues_browser.calendar.clicked.emit(QDate(2021, 9, 15))
    assert "乐山日报" in window.reader.view.toPlainText()
    window.script_box.setCurrentIndex(list(window.script_actions).index("hant"))
    assert "樂山日報" in window.reader.view.toPlainText()
    assert window.script_actions["hant"].isChecked()
    window.set_script("tw")
    assert "樂山日報" in window.reader.view.toPlainText()
    window.set_script("hans")
    assert "乐山日报" in window.reader.view.toPlainText()
    view = window.reader.view  # the reading position stays: the same character tops the view
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    top = view.cursorForPosition(QPoint(0, 0)).position()
    for script in ("hant", "hk", "hans"):
        window.set_script(script)
        assert view.cursorForPosition(QPoint(0, 0)).position() == top


def test_copy_with_citation_uses_the_headline(make_window, qtbot):
    window = make_window()
    search(qtbot, window, "金口河区")
    window.on_hit_activated(0)
    window.on_copy_with_citation()
    copied = QGuiApplication.clipboard().text()
    assert copied.endswith("金口河区： 坚守绿水青山 推动绿色发展[N]. 乐山日报, 2021-09-15(1).")


def test_continuation_notes_link_or_say_the_page_is_missing(make_window, qtbot):
    window = make_window()
    window.issues_browser.calendar.clicked.emit(QDate(2022, 6, 30))
    assert 'href="missing:2"' in window.reader.view.toHtml()
    window.reader.missing_page.emit(2)
    assert "第2版不在档案中" in window.statusBar().currentMessage()


def test_zoom_shortcuts_change_the_font_size(make_window, qtbot):
    window = make_window()
    size = window.reader.point_size
    window.act_zoom_in.trigger()
    assert window.reader.point_size == size + 1
    window.act_zoom_out.trigger()
    window.act_zoom_out.trigger()
    assert window.reader.point_size == size - 1
    window.act_zoom_reset.trigger()
    assert window.reader.point_size == size
    assert window.act_find.shortcut().toString() == "Ctrl+F"


def test_raw_view_shows_the_ocr_exactly(make_window, qtbot):
    window = make_window()
    window.issues_browser.calendar.clicked.emit(QDate(2021, 9, 15))
    window.act_raw.trigger()
    assert window.reader.stack.currentWidget() is window.reader.raw
    assert "提供个性\n\n化工作服务" in window.reader.raw.toPlainText()


def test_settings_are_remembered_across_a_restart(make_window, qtbot):
    window = make_window()
    window.issues_browser.calendar.clicked.emit(QDate(2022, 7, 6))
    window.act_zoom_in.trigger()
    window.set_script("hk")
    window.resize(780, 560)  # smaller than the first-run size, within offscreen's 800x600 screen
    chosen = (window.width(), window.height())
    assert chosen != (1280, 800)
    page, size = window.current_page_id, window.reader.point_size
    window.close()
    again = make_window()
    assert again.current_page_id == page
    assert again.reader.point_size == size
    assert again.reader.script == "hk" and again.script_actions["hk"].isChecked()
    assert (again.width(), again.height()) == chosen


def test_the_glossary_panel_is_docked_after_start_and_reopens_as_it_was_left(make_window, qtbot):
    """The panel is docked just after the first paint (it needs Qt's enums: see leshan_reader.ui),
    or at once when it was open at the last close, so the page does not reflow late."""
    from PySide6.QtCore import Qt

    window = make_window()
    panel = window.glossary_panel
    qtbot.waitUntil(lambda: window.dockWidgetArea(panel) == Qt.DockWidgetArea.RightDockWidgetArea, timeout=3000)
    assert panel.isHidden()
    window.act_glossary.trigger()
    assert panel.isVisible() and not panel.isFloating()
    page_width = window.reader.view.width()
    window.close()
    again = make_window()
    assert again.dockWidgetArea(again.glossary_panel) == Qt.DockWidgetArea.RightDockWidgetArea
    assert again.glossary_panel.isVisible() and again.reader.view.width() == page_width
    again.act_glossary.trigger()
    again.close()
    third = make_window()
    assert third.glossary_panel.isHidden()


def test_the_glossary_panel_menu_item_works_before_the_panel_is_docked(make_window, qtbot):
    window = make_window()
    window.act_glossary.trigger()  # at once, before the deferred docking
    assert window.glossary_panel.isVisible() and not window.glossary_panel.isFloating()
    assert window.dockWidgetArea(window.glossary_panel).name == "RightDockWidgetArea"


def test_english_can_be_chosen(make_window, qtbot):
    window = make_window()
    window.language_actions["en"].trigger()
    assert window.menu_file.title() == "&File"
    assert "page" in window.reader.header.text()
    window.language_actions["zh_CN"].trigger()
    assert window.menu_file.title() == "文件(&F)"


def test_text_that_looks_like_html_is_shown_as_text(make_window, qtbot, tmp_path):
    page = tmp_path / "2023-03-03_01.txt"
    page.write_text("测试页\n\n本报讯，<b>粗体</b> 与 <img src=x onerror=alert(1)> 以及 &nbsp; 都是原文。\n",
                    encoding="utf-8")
    window = make_window()
    window.import_paths([page])
    qtbot.waitUntil(lambda: hasattr(window, "last_import_report"), timeout=10000)
    window.issues_browser.calendar.clicked.emit(QDate(2023, 3, 3))
    text = window.reader.view.toPlainText()
    assert "<b>粗体</b>" in text and "<img src=x onerror=alert(1)>" in text and "&nbsp;" in text


def test_the_status_bar_counts_pages_and_articles_and_follows_an_import(make_window, qtbot, tmp_path):
    window = make_window()
    assert window.status_label.text().startswith("5 版 · 33 篇 · ")
    page = tmp_path / "2023-03-03_01.txt"
    page.write_text("测试页\n\n本报讯，今天的一篇新闻。\n", encoding="utf-8")
    window.import_paths([page])
    qtbot.waitUntil(lambda: hasattr(window, "last_import_report"), timeout=10000)
    assert window.status_label.text().startswith("6 版 · ")


def test_import_shows_progress_and_can_be_cancelled(make_window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "many"
    folder.mkdir()
    for day in range(1, 101):  # 400 pages, one replaced by a PDF below
        for number in range(1, 5):
            date = f"2024-{1 + (day - 1) // 25:02d}-{1 + (day - 1) % 25:02d}"
            (folder / f"{date}_{number:02d}.txt").write_text(
                f"第{number}版\n\n本报讯，这是{date}第{number}版的文字。" * 80, encoding="utf-8")
    (folder / "2024-03-01_01.txt").write_bytes(b"%PDF-1.4")
    # The import would finish before a person could click: hold it after a few files until the
    # user has pressed Cancel, so that the cancel lands part-way, as it does on a real archive.
    from leshan_reader.library import Library
    clicked = threading.Event()
    real_import = Library.import_paths

    def held_import(self, paths, progress, cancel):
        def slow_progress(done, total, name=""):
            progress(done, total, name)
            if done >= 3 and not clicked.is_set():
                clicked.wait(20)
        return real_import(self, paths, slow_progress, cancel)

    monkeypatch.setattr(Library, "import_paths", held_import)
    window = make_window()
    seen = []
    window.import_paths([folder])
    dialog = window.import_dialog
    dialog.canceled.connect(lambda: seen.append("cancel"))
    qtbot.waitUntil(lambda: dialog.value() >= 3, timeout=20000)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)  # a long job shows its dialog
    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert "取消" in window.statusBar().currentMessage()  # until the written pages are indexed
    clicked.set()
    qtbot.waitUntil(lambda: hasattr(window, "last_import_report"), timeout=20000)
    report = window.last_import_report
    assert seen == ["cancel"] and report.cancelled and not window.statusBar().currentMessage()
    assert 0 < report.count("imported") < 400
    assert "已取消" in (window.import_summary.detailedText() or "")
    window.import_paths([folder])  # again, to the end: the rest is added, nothing twice
    qtbot.waitUntil(lambda: window.last_import_report is not report, timeout=30000)
    final = window.last_import_report
    # 400 files, one of them a PDF under a .txt name: rejected both times, named in the summary
    assert final.count("imported") + final.count("unchanged") == 399 and final.count("rejected") == 1
    assert final.count("imported") == 399 - report.count("imported")
    assert "2024-03-01_01.txt" in window.import_summary.detailedText()


def test_copy_as_printed_gives_the_printed_characters_whatever_the_script(make_window, qtbot):
    window = make_window()
    window.issues_browser.calendar.clicked.emit(QDate(2021, 9, 15))
    window.set_script("hant")
    view = window.reader.view
    cursor = view.document().find("陳光浩")
    assert not cursor.isNull()
    cursor.movePosition(cursor.MoveOperation.EndOfBlock, cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    shown = window.reader.selected_text()
    window.act_copy.trigger()
    assert QGuiApplication.clipboard().text() == shown and "陳光浩" in shown
    window.act_copy_as_printed.trigger()
    window.act_copy.trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("陈光浩") and len(copied) == len(shown)
    page_text = window.reader.page["text"]
    assert copied.replace("\n", "") in page_text.replace("\n", "")  # exactly as printed


@pytest.mark.parametrize("action", ["act_about", "act_jump_date", "act_import_files", "act_import_folder"])
def test_each_dialog_opens_from_its_menu_action_and_closes(make_window, qtbot, action):
    """Dialog classes are created on first use (see leshan_reader.ui); each one still opens."""
    from PySide6.QtCore import QTimer

    window = make_window()
    seen, texts = [], []

    def close_the_dialog():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, close_the_dialog)
            return
        seen.append(type(dialog).__name__)
        texts.append(dialog.text() if hasattr(dialog, "text") else "")
        dialog.reject()

    QTimer.singleShot(20, close_the_dialog)
    getattr(window, action).trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)  # the About box waits for the statistics
    assert len(seen) == 1 and seen[0] in ("QMessageBox", "QDialog", "QFileDialog")
    if action == "act_about":  # the archive's statistics, counted on the search worker
        assert "5 版，33 篇" in texts[0] and "字" in texts[0]
    assert window.reader.page is not None  # nothing imported, nothing lost
