"""Glossary look-up in the window: marked terms, hover and click, select-to-look-up, the panel."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from tests.gui.test_window import type_text

pytestmark = pytest.mark.gui
FEATURE_PAGE, REPORT_PAGE = 5, 4  # the 市中区 feature page and the work report page


def point_of(view, text, occurrence=0):
    """The on-screen middle of ``text`` in a text view (viewport coordinates), scrolled into view."""
    document = view.document()
    cursor = QTextCursor(document)
    for _ in range(occurrence + 1):
        cursor = document.find(text, cursor)
    assert not cursor.isNull(), text
    middle = QTextCursor(document)
    middle.setPosition(cursor.selectionStart() + 1)
    view.setTextCursor(middle)
    view.ensureCursorVisible()
    return view.cursorRect(middle).center()


def open_feature_page(window):
    window.open_page(FEATURE_PAGE)
    return window.reader.view


def test_terms_on_the_page_are_marked_and_a_click_explains_them(make_window, qtbot):
    window = make_window()
    view = open_feature_page(window)
    html = view.toHtml()
    six = window.library.glossary("六稳六保")[0]["id"]
    assert f'href="term:{six}"' in html
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, "六稳六保"))
    popup = window.term_popup
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    text = popup.toPlainText()
    assert "稳就业" in text and "2021年政府工作报告, 第3版" in text
    popup.anchorClicked.emit(popup.document().find("2021年政府工作报告").charFormat().anchorHref())
    assert window.current_page_id == REPORT_PAGE and not popup.isVisible()


def test_hovering_a_term_shows_its_definition(make_window, qtbot):
    window = make_window()
    view = open_feature_page(window)
    target = point_of(view, "多规合一")
    QToolTip.hideText()
    qtbot.mouseMove(view.viewport(), QPoint(2, 2))  # from off the term, as a hand moves
    qtbot.wait(50)
    qtbot.mouseMove(view.viewport(), target)
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)
    assert "统筹经济社会发展" in QToolTip.text() and "第3版" in QToolTip.text()


def test_marks_can_be_turned_off_and_are_not_put_inside_the_appendix(make_window, qtbot):
    window = make_window()
    window.open_page(REPORT_PAGE)
    html = window.reader.view.toHtml()
    report_body, appendix = html.split("名词解释和说明", 1)
    assert "term:" in report_body and "term:" not in appendix
    window.act_mark_terms.trigger()
    assert "term:" not in window.reader.view.toHtml()
    assert window.settings.get("mark_terms") is False


def test_select_text_and_press_the_key_to_look_it_up(make_window, qtbot):
    window = make_window()
    view = open_feature_page(window)
    view.setFocus()
    cursor = view.document().find("六稳六保")
    view.setTextCursor(cursor)  # selected
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.term_popup.isVisible, timeout=3000)
    assert "保居民就业" in window.term_popup.toPlainText()
    window.term_popup.hide()
    # No selection: the longest term that starts at the cursor.
    point_of(view, "多规合一")
    cursor = view.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Left)
    view.setTextCursor(cursor)
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.term_popup.isVisible, timeout=3000)
    assert window.term_popup.toPlainText().startswith("多规合一")


def test_the_context_menu_offers_the_look_up(make_window, qtbot):
    window = make_window()
    view = open_feature_page(window)
    position = point_of(view, "多规合一")
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, position, view.viewport().mapToGlobal(position))
    QApplication.sendEvent(view.viewport(), event)
    menu = view.context_menu
    assert menu.actions()[0] is window.act_lookup
    menu.close()


def test_the_glossary_panel_filters_in_either_script_and_lists_where_a_term_is_used(make_window, qtbot):
    window = make_window()
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.glossary_panel
    assert panel.isVisible() and panel.terms.count() == 41
    panel.filter.setFocus()
    type_text(panel.filter, "六穩")
    assert [panel.terms.item(i).text() for i in range(panel.terms.count())] == ["“六稳”“六保”"]
    qtbot.waitUntil(lambda: "档案中出现 1 次，1 版" in panel.definition.toPlainText(), timeout=5000)
    assert "稳就业" in panel.definition.toPlainText()
    link = panel.definition.document().find("版次不明").charFormat().anchorHref()
    panel.definition.anchorClicked.emit(link)
    assert window.current_page_id == FEATURE_PAGE
    window.set_script("tw")  # definitions follow the script toggle
    assert "穩就業" in panel.definition.toPlainText()
    assert panel.terms.item(0).text() == "“六穩”“六保”"


def test_conversion_choices_can_be_shown(make_window, qtbot):
    window = make_window()
    window.open_page(FEATURE_PAGE)
    window.set_script("hant")
    assert "choice:" not in window.reader.view.toHtml()  # off by default
    window.act_conversion_marks.trigger()
    html = window.reader.view.toHtml()
    assert 'href="choice:后後后"' in html or 'href="choice:发發髮"' in html
    assert window.reader.tooltip_for("choice:干幹乾干").startswith("原文“干”")
