"""The reading pane: header, article outline, the reflowed page (or the raw OCR), matches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QUrl, Signal
from PySide6.QtGui import QCursor, QFont, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QLabel,
    QToolTip,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from leshan_reader.conversion import to_script
from leshan_reader.core.i18n import t
from leshan_reader.glossary import GlossaryMatcher
from leshan_reader.ui import USER_ROLE
from leshan_reader.ui.render import Match, date_label, definitions_html, page_label, render_page

if TYPE_CHECKING:  # event classes are named for readers and checkers, made by Qt when needed
    from PySide6.QtGui import QContextMenuEvent

DEFAULT_POINT_SIZE = 14
MIN_POINT_SIZE, MAX_POINT_SIZE = 8, 40


class PageView(QTextBrowser):
    """The page as read. Keyboard arrows are left to the window (previous/next page)."""

    lookup_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        # Flags and orientations are set by name, without Qt enums: see leshan_reader.ui.
        self.setProperty("textInteractionFlags", "TextSelectableByMouse|LinksAccessibleByMouse")
        self.setObjectName("pageView")
        self.lookup_action = None  # the window's "look up" action, offered in the context menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        if self.lookup_action is not None:
            if not self.textCursor().hasSelection():
                # Look up what was right-clicked, as pop-up dictionaries do.
                self.setTextCursor(self.cursorForPosition(event.pos()))
            menu.insertAction(menu.actions()[0] if menu.actions() else None, self.lookup_action)
            menu.insertSeparator(menu.actions()[1])
        self.context_menu = menu  # kept for tests
        menu.popup(event.globalPos())


class ReaderPane(QWidget):
    """Signals: link_to_page(int page_id), missing_page(int page_number)."""

    link_to_page = Signal(int)
    missing_page = Signal(int)
    term_clicked = Signal(list)  # glossary entry ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel(self)
        self.header.setObjectName("pageHeader")
        self.header.setProperty("textInteractionFlags", "TextSelectableByMouse")
        self.outline = QListWidget(self)
        self.outline.setObjectName("outline")
        self.view = PageView(self)
        self.raw = QPlainTextEdit(self)
        self.raw.setReadOnly(True)
        self.raw.setObjectName("rawView")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.raw)
        self.splitter = QSplitter(parent=self)  # horizontal
        self.splitter.addWidget(self.outline)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setCollapsible(1, False)
        self.stack.setMinimumWidth(280)  # the page is what the window is for: never squeezed away
        self.splitter.setSizes([170, 680])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)
        self.page: dict | None = None
        self.script = "hans"
        self.terms: list[str] = []
        self.matches: list[Match] = []
        self.current_match: int | None = None
        self.page_links: dict[int, int] = {}
        self.point_size = DEFAULT_POINT_SIZE
        self.show_masthead = True
        self.mark_terms = True
        self.conversion_marks = False
        self.glossary: dict[int, dict] = {}  # entry id -> entry, for tooltips
        self.matcher: GlossaryMatcher | None = None
        self._apply_font()
        self.outline.itemActivated.connect(self._on_outline_activated)
        self.outline.itemClicked.connect(self._on_outline_activated)
        self.view.anchorClicked.connect(self._on_anchor_clicked)
        self.view.highlighted.connect(self._on_link_hovered)

    # --- content ---------------------------------------------------------------------------

    def show_page(self, page: dict, page_links: dict[int, int], terms: list[str] | None = None,
                  focus_article: int | None = None) -> None:
        self.page = page
        self.page_links = page_links
        self.terms = terms or []
        self.current_match = None
        self._render(keep_position=False)
        self.raw.setPlainText(page["raw"])
        if self.matches:
            first = 0
            if focus_article is not None:
                first = next((i for i, m in enumerate(self.matches) if m.article_id == focus_article), 0)
            self.go_to_match(first)
        elif focus_article is not None:
            self.scroll_to_article(focus_article)
        else:
            self.view.verticalScrollBar().setValue(0)

    def _render(self, keep_position: bool = True) -> None:
        if self.page is None:
            return
        # The reading position is the character at the top of the view: conversion keeps the
        # document's characters in place (or nearly, for phrase conversions), while its height
        # changes with the glyphs, so a scroll fraction would drift.
        top = self.view.cursorForPosition(QPoint(0, 0)).position()
        html, self.matches = self._page_html(self.script, self.conversion_marks)
        self.view.setHtml(html)
        self._fill_header_and_outline()
        if keep_position:
            self.scroll_to_position(top)

    def _page_html(self, script: str, conversion_marks: bool) -> tuple[str, list[Match]]:
        """The current page as shown, in ``script`` (the same layout whatever the script)."""
        return render_page(
            self.page, script=script, terms=self.terms, current_match=self.current_match,
            page_links={number: str(page_id) for number, page_id in self.page_links.items()},
            show_masthead=self.show_masthead, glossary_terms=self.mark_terms,
            conversion_marks=conversion_marks,
        )

    def _fill_header_and_outline(self) -> None:
        page = self.page
        parts = [date_label(page["date"], page["date_precision"]), page_label(page["page"]), page["source"]]
        if page.get("pages_in_issue"):
            parts.append(t(f"本期共{page['pages_in_issue']}版", f"{page['pages_in_issue']} pages in issue"))
        self.header.setText("  ·  ".join(parts))
        self.outline.clear()
        for article in page["articles"]:
            if article["kind"] == "masthead":
                continue
            title = article["title"] or {
                "advert": t("［广告］", "[advert]"), "caption": t("［图片说明］", "[caption]"),
                "notice": t("［告示］", "[notice]"),
            }.get(article["kind"], t("［本版其他内容］", "[more on this page]"))
            if self.script != "hans":
                title = to_script(title, self.script)
            item = QListWidgetItem(title)
            item.setData(USER_ROLE, article["id"])
            item.setToolTip(title)
            self.outline.addItem(item)

    def set_script(self, script: str) -> None:
        if script != self.script:
            self.script = script
            self._render(keep_position=True)

    def set_terms(self, terms: list[str]) -> None:
        self.terms = terms
        self._render(keep_position=True)

    def show_raw(self, raw: bool) -> None:
        self.stack.setCurrentWidget(self.raw if raw else self.view)

    # --- navigation inside the page ----------------------------------------------------------

    def scroll_to_position(self, position: int) -> None:
        """Scroll so that the line holding document ``position`` is the top line of the view."""
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(max(0, min(position, self.view.document().characterCount() - 1)))
        bar = self.view.verticalScrollBar()
        bar.setValue(0)
        bar.setValue(self.view.cursorRect(cursor).top())

    def scroll_to_article(self, article_id: int) -> None:
        self.view.scrollToAnchor(f"a{article_id}")

    def go_to_match(self, index: int) -> None:
        if not self.matches:
            return
        self.current_match = index % len(self.matches)
        self._render(keep_position=True)
        self.view.scrollToAnchor(f"m{self.current_match}")

    def next_match(self) -> None:
        if self.matches:
            self.go_to_match(0 if self.current_match is None else self.current_match + 1)

    def previous_match(self) -> None:
        if self.matches:
            self.go_to_match(-1 if self.current_match is None else self.current_match - 1)

    def article_at_cursor(self) -> dict | None:
        """The article the selection (or the top of the view) is in."""
        if self.page is None:
            return None
        cursor = self.view.textCursor()
        position = cursor.selectionStart() if cursor.hasSelection() else self.view.cursorForPosition(
            self.view.viewport().rect().topLeft()).position()
        document = self.view.document()
        best = None
        for article in self.page["articles"]:
            found = document.find(_anchor_probe(article, self.script))
            if not found.isNull() and found.selectionStart() <= position:
                best = article
        return best or next((a for a in self.page["articles"] if a["kind"] != "masthead"), None)

    # --- font ----------------------------------------------------------------------------

    def zoom(self, steps: int) -> None:
        self.point_size = max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, self.point_size + steps))
        self._apply_font()

    def reset_zoom(self) -> None:
        self.point_size = DEFAULT_POINT_SIZE
        self._apply_font()

    def set_point_size(self, size: int) -> None:
        self.point_size = max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, size))
        self._apply_font()

    def _apply_font(self) -> None:
        font = QFont(self.view.font())
        font.setPointSize(self.point_size)
        self.view.document().setDefaultFont(font)
        self.view.setFont(font)
        raw_font = QFont("monospace")
        raw_font.setStyleHint(QFont.StyleHint.Monospace)
        raw_font.setPointSize(max(MIN_POINT_SIZE, self.point_size - 2))
        self.raw.setFont(raw_font)

    # --- slots -----------------------------------------------------------------------------

    def _on_outline_activated(self, item: QListWidgetItem) -> None:
        self.scroll_to_article(int(item.data(USER_ROLE)))

    def _on_anchor_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("term:"):
            self.term_clicked.emit([int(i) for i in text[5:].split(",")])
        elif text.startswith("page:"):
            self.link_to_page.emit(int(text[5:]))
        elif text.startswith("missing:"):
            self.missing_page.emit(int(text[8:]))

    def tooltip_for(self, link: str) -> str:
        """What hovering a marked term or converted character shows."""
        if link.startswith("term:"):
            entries = [self.glossary[int(i)] for i in link[5:].split(",") if int(i) in self.glossary]
            return definitions_html(entries, self.script)
        if link.startswith("choice:"):
            printed, candidates = link[7], link[8:]
            return t(f"原文“{printed}”，可对应：{'、'.join(candidates)}",
                     f"printed “{printed}”; traditional forms: {', '.join(candidates)}")
        return ""

    def _on_link_hovered(self, url: QUrl) -> None:
        text = self.tooltip_for(url.toString())
        if text:
            QToolTip.showText(QCursor.pos(), text, self.view)
        else:
            QToolTip.hideText()

    def lookup_at_cursor(self) -> list[int]:
        """Glossary entries for the selection, or for the longest term that starts at the cursor."""
        if self.matcher is None:
            return []
        cursor = self.view.textCursor()
        if cursor.hasSelection():
            return self.matcher.lookup(self.selected_text())
        text = self.view.toPlainText()
        position = cursor.position()
        found = self.matcher.longest_at(text[position: position + 64], 0)
        return list(found.entry_ids) if found else []

    def set_marks(self, terms: bool, conversion: bool) -> None:
        if (terms, conversion) != (self.mark_terms, self.conversion_marks):
            self.mark_terms, self.conversion_marks = terms, conversion
            self._render(keep_position=True)

    def selected_text_as_printed(self) -> str | None:
        """The selection as the paper printed it, whatever the script shown: the same page is laid
        out in the printed script and the same range taken from it. None when conversion changed
        the text's length (s2twp phrases), where positions do not correspond."""
        cursor = self.view.textCursor()
        if self.page is None or not cursor.hasSelection():
            return None
        html, _ = self._page_html("hans", conversion_marks=False)
        printed = QTextDocument()
        printed.setDefaultFont(self.view.document().defaultFont())
        printed.setHtml(html)
        if printed.characterCount() != self.view.document().characterCount():
            return None
        same = QTextCursor(printed)
        same.setPosition(cursor.selectionStart())
        same.setPosition(cursor.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
        return same.selectedText().replace("\u2029", "\n")

    def selected_text(self) -> str:
        return self.view.textCursor().selectedText().replace("\u2029", "\n")

    def select_all_of_match(self) -> QTextCursor:
        return self.view.textCursor()


def _anchor_probe(article: dict, script: str) -> str:
    """A short piece of an article's first words, to find where it starts in the document."""
    text = article.get("title") or article.get("text", "")
    probe = text.strip().split("\n")[0][:12]
    return to_script(probe, script) if script != "hans" and probe else probe
