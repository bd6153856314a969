"""The glossary panel: every term, filter-as-you-type by any alias in either script, the definition
and where the term is used in the archive."""

from __future__ import annotations

from PySide6 import QtCore  # QtCore.Qt after start-up only: see leshan_reader.ui
from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from leshan_reader.conversion import to_script
from leshan_reader.core.i18n import t
from leshan_reader.glossary import match_key
from leshan_reader.ui import USER_ROLE
from leshan_reader.ui.render import definitions_html


class GlossaryPanel(QDockWidget):
    """Signals: page_requested(page id), occurrences_wanted(entry id)."""

    page_requested = Signal(int)
    occurrences_wanted = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("glossaryPanel")
        body = QWidget(self)
        self.filter = QLineEdit(body)
        self.filter.setObjectName("glossaryFilter")
        self.filter.setClearButtonEnabled(True)
        self.count_label = QLabel(body)
        self.terms = QListWidget(body)
        self.terms.setObjectName("glossaryTerms")
        self.definition = QTextBrowser(body)
        self.definition.setObjectName("glossaryDefinition")
        self.definition.setOpenLinks(False)
        splitter = QSplitter(parent=body)
        splitter.setProperty("orientation", "Vertical")
        splitter.addWidget(self.terms)
        splitter.addWidget(self.definition)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.count_label)
        layout.addWidget(splitter, 1)
        self.setWidget(body)
        self.entries: list[dict] = []
        self.script = "hans"
        self.occurrences: dict[int, list[dict]] = {}
        self._stale = True
        self.filter.textChanged.connect(self._refill)
        self.terms.currentItemChanged.connect(lambda current, _previous: self._show(current))
        self.definition.anchorClicked.connect(self._on_link)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(t("名词解释", "Glossary"))
        self.filter.setPlaceholderText(t("筛选名词（简繁均可）", "Filter terms (either script)"))
        self._refill_when_visible()

    def set_entries(self, entries: list[dict]) -> None:
        self.entries = entries
        self.occurrences.clear()
        self._refill_when_visible()

    def set_script(self, script: str) -> None:
        self.script = script
        self._refill_when_visible()

    def _refill_when_visible(self) -> None:
        # A hidden panel is refilled when it is shown: the 简/繁 switch need not pay for it.
        if self.isVisible():
            self._refill()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        if self._stale:
            self._refill()
        super().showEvent(event)

    def show_entry(self, entry_id: int) -> None:
        """Select an entry (clears a filter that hides it)."""
        if self._stale:
            self._refill()
        if not self._select(entry_id):
            self.filter.clear()
            self._select(entry_id)

    def set_occurrences(self, entry_id: int, occurrences: list[dict]) -> None:
        self.occurrences[entry_id] = occurrences
        if self.current_entry_id() == entry_id:
            self._show(self.terms.currentItem())

    def current_entry_id(self) -> int | None:
        item = self.terms.currentItem()
        return int(item.data(USER_ROLE)) if item else None

    def _select(self, entry_id: int) -> bool:
        for row in range(self.terms.count()):
            if self.terms.item(row).data(USER_ROLE) == entry_id:
                self.terms.setCurrentRow(row)
                return True
        return False

    def _matches(self, entry: dict, key: str) -> bool:
        return not key or any(key in match_key(form) for form in (entry["term"], *entry["aliases"]))

    def _refill(self) -> None:
        self._stale = False
        current = self.current_entry_id()
        key = match_key(self.filter.text())
        self.terms.blockSignals(True)
        self.terms.clear()
        shown = [e for e in self.entries if self._matches(e, key)]
        for entry in shown:
            label = entry["term"] if self.script == "hans" else to_script(entry["term"], self.script)
            item = QListWidgetItem(label)
            item.setData(USER_ROLE, entry["id"])
            item.setToolTip(f"{label} — {entry['source_title']}")
            self.terms.addItem(item)
        self.terms.blockSignals(False)
        self.count_label.setText(t(f"{len(shown)} / {len(self.entries)} 条", f"{len(shown)} of {len(self.entries)} terms"))
        if not (current is not None and self._select(current)) and shown:
            self.terms.setCurrentRow(0)
        self._show(self.terms.currentItem())

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is None:
            self.definition.setHtml("")
            return
        entry_id = int(item.data(USER_ROLE))
        entry = next(e for e in self.entries if e["id"] == entry_id)
        same_term = [e for e in self.entries if e["term"] == entry["term"]]  # newest first
        self.definition.setHtml(definitions_html(same_term, self.script, self.occurrences.get(entry_id)))
        if entry_id not in self.occurrences:
            self.occurrences_wanted.emit(entry_id)

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("page:"):
            self.page_requested.emit(int(text[5:]))


class TermPopup(QTextBrowser):
    """The definition of a clicked or looked-up term, next to the text; closes on a click outside."""

    page_requested = Signal(int)
    panel_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlags(QtCore.Qt.WindowType.Popup)
        self.setObjectName("termPopup")
        self.setOpenLinks(False)
        self.resize(420, 260)
        self.anchorClicked.connect(self._on_link)

    def show_entries(self, entries: list[dict], script: str, at) -> None:
        html = definitions_html(entries, script)
        if entries:
            html += f'<p><a href="panel:{entries[0]["id"]}">{t("在名词解释面板中查看", "Show in the glossary panel")}</a></p>'
        self.setHtml(html)
        self.move(at)
        self.show()

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        self.hide()
        if text.startswith("page:"):
            self.page_requested.emit(int(text[5:]))
        elif text.startswith("panel:"):
            self.panel_requested.emit(int(text[6:]))
