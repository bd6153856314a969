"""The search pane: type-ahead (debounced, cancellable) search, filters, results with snippets."""

from __future__ import annotations

import html

from PySide6 import QtWidgets  # QStyle, QStyleOptionViewItem: see leshan_reader.ui
from PySide6.QtCore import QModelIndex, QSize, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from leshan_reader.conversion import to_script
from leshan_reader.core.i18n import t
from leshan_reader.search.engine import SearchHit
from leshan_reader.ui import USER_ROLE
from leshan_reader.ui.render import HIGHLIGHT, date_label, page_label

HIT_ROLE = USER_ROLE
DEBOUNCE_MS = 250
PAGE_SIZE = 200


def hit_html(hit: SearchHit, script: str) -> str:
    def conv(text: str) -> str:
        return to_script(text, script) if script != "hans" else text

    snippet, last = [], 0
    for start, end in hit.marks:
        snippet.append(html.escape(conv(hit.snippet[last:start])))
        snippet.append(f'<span style="background-color:{HIGHLIGHT}">{html.escape(conv(hit.snippet[start:end]))}</span>')
        last = end
    snippet.append(html.escape(conv(hit.snippet[last:])))
    title = html.escape(conv(hit.title)) if hit.title else t("［无标题］", "[no headline]")
    where = f"{date_label(hit.date, hit.date_precision)} · {page_label(hit.page)}"
    count = t(f"{hit.matches}处", f"{hit.matches} match{'es' if hit.matches != 1 else ''}")
    return (f"<b>{title}</b><br/><span style='color:#666'>{html.escape(where)} · {count}</span>"
            f"<br/>{''.join(snippet)}")


class HitDelegate(QStyledItemDelegate):
    """Draws a result as rich text (headline, where, snippet with the match marked)."""

    def __init__(self, panel: "SearchPanel") -> None:
        super().__init__(panel)
        self.panel = panel

    def _document(self, option: QtWidgets.QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setHtml(hit_html(index.data(HIT_ROLE), self.panel.script))
        document.setTextWidth(max(100, option.rect.width() - 8))
        return document

    def paint(self, painter, option, index) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        option_text = QtWidgets.QStyleOptionViewItem(option)
        option_text.text = ""
        if style:
            style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, option_text, painter, option.widget)
        document = self._document(option, index)
        painter.save()
        painter.translate(option.rect.left() + 4, option.rect.top() + 2)
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QtWidgets.QStyle.StateFlag.State_Selected:
            context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        self.initStyleOption(option, index)
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()) + 6)


class SearchPanel(QWidget):
    """Signals: query_changed(str query, dict options) after the debounce; hit_activated(int row)."""

    query_changed = Signal(str, dict)
    hit_activated = Signal(int)
    more_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.script = "hans"
        self.query = QLineEdit(self)
        self.query.setObjectName("searchBox")
        self.query.setClearButtonEnabled(True)
        self.date_from = QLineEdit(self)
        self.date_to = QLineEdit(self)
        for edit in (self.date_from, self.date_to):
            edit.setMaximumWidth(110)
        self.order = QComboBox(self)
        self.order.addItem("", "relevance")
        self.order.addItem("", "date")
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.results = QListWidget(self)
        self.results.setObjectName("searchResults")
        self.results.setItemDelegate(HitDelegate(self))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.more = QPushButton(self)
        self.more.hide()
        filters = QHBoxLayout()
        self.from_label, self.to_label = QLabel(self), QLabel(self)
        filters.addWidget(self.from_label)
        filters.addWidget(self.date_from)
        filters.addWidget(self.to_label)
        filters.addWidget(self.date_to)
        filters.addWidget(self.order)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.more)
        self.hits: list[SearchHit] = []
        self.total = 0
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self._emit_query)
        self.query.textEdited.connect(lambda _: self.debounce.start())
        self.query.returnPressed.connect(self._emit_query)
        self.date_from.editingFinished.connect(self._emit_query)
        self.date_to.editingFinished.connect(self._emit_query)
        self.order.currentIndexChanged.connect(lambda _: self._emit_query())
        self.results.itemActivated.connect(lambda item: self.hit_activated.emit(self.results.row(item)))
        self.results.itemClicked.connect(lambda item: self.hit_activated.emit(self.results.row(item)))
        self.more.clicked.connect(self.more_requested.emit)
        self.retranslate()

    def retranslate(self) -> None:
        self.query.setPlaceholderText(t('搜索全部报纸（空格=并且，"短语"，-排除，OR=或）',
                                        'Search the whole archive (space = and, "phrase", -exclude, OR)'))
        self.from_label.setText(t("从", "From"))
        self.to_label.setText(t("到", "to"))
        for edit in (self.date_from, self.date_to):
            edit.setPlaceholderText(t("年[-月[-日]]", "YYYY[-MM[-DD]]"))
        self.order.setItemText(0, t("按相关度", "By relevance"))
        self.order.setItemText(1, t("按日期", "By date"))
        self.more.setText(t("显示更多结果", "Show more results"))
        self._update_status()

    def options(self) -> dict:
        return {
            "date_from": self.date_from.text().strip() or None,
            "date_to": self.date_to.text().strip() or None,
            "order": self.order.currentData(),
        }

    def _emit_query(self) -> None:
        self.debounce.stop()
        self.query_changed.emit(self.query.text(), self.options())

    def show_searching(self) -> None:
        self.status.setText(t("正在搜索…", "Searching…"))

    def show_error(self, message: str) -> None:
        self.hits, self.total = [], 0
        self.results.clear()
        self.more.hide()
        self.status.setText(message)

    def set_results(self, hits: list[SearchHit], total: int, append: bool = False) -> None:
        if not append:
            self.results.clear()
            self.hits = []
        self.hits.extend(hits)
        self.total = total
        for hit in hits:
            item = QListWidgetItem()
            item.setData(HIT_ROLE, hit)
            self.results.addItem(item)
        self.more.setVisible(len(self.hits) < total)
        self._update_status()

    def clear(self) -> None:
        self.hits, self.total = [], 0
        self.results.clear()
        self.more.hide()
        self.status.clear()

    def _update_status(self) -> None:
        if not self.query.text().strip():
            self.status.clear()
            return
        shown = len(self.hits)
        if self.total > shown:
            self.status.setText(t(f"共 {self.total} 篇，显示前 {shown} 篇", f"{self.total} articles, first {shown} shown"))
        else:
            self.status.setText(t(f"共 {self.total} 篇", f"{self.total} articles"))

    def set_script(self, script: str) -> None:
        self.script = script
        if self.results.count():  # laying out an empty list cost start-up 9 ms
            self.results.viewport().update()
            self.results.doItemsLayout()
