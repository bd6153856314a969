"""Issues by date: a calendar with the days that have issues marked, and a year → month → day
tree of issues and their pages. Pages whose day is not known sit under their year as
"2021 (date not printed)"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import QCalendarWidget, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from leshan_reader.core.i18n import t
from leshan_reader.ui.render import date_label, page_label

PAGE_ROLE = Qt.ItemDataRole.UserRole


class IssueBrowser(QWidget):
    """Signals: page_chosen(int page_id), missing_day(str iso_date)."""

    page_chosen = Signal(int)
    missing_day = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setObjectName("issueTree")
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.calendar)
        self.splitter.addWidget(self.tree)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._days: dict[str, list[int]] = {}
        self._items: dict[int, QTreeWidgetItem] = {}
        self._issues: list[dict] = []
        self.tree.itemActivated.connect(self._on_item_activated)
        self.tree.itemClicked.connect(self._on_item_activated)
        self.calendar.clicked.connect(self._on_date_clicked)

    def set_issues(self, issues: list[dict]) -> None:
        self._issues = issues
        self.tree.clear()
        self._items.clear()
        self._days.clear()
        years: dict[str, QTreeWidgetItem] = {}
        months: dict[str, QTreeWidgetItem] = {}
        marked = QTextCharFormat()
        marked.setFontWeight(QFont.Weight.Bold)
        marked.setBackground(QBrush(QColor("#c8e6c9")))
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clear earlier marks
        for issue in issues:
            date, precision = issue["date"], issue["date_precision"]
            year_key = date[:4] if date else t("日期不明", "Undated")
            year = years.get(year_key)
            if year is None:
                year = years[year_key] = QTreeWidgetItem(self.tree, [year_key])
            parent = year
            if precision == "day":
                month_key = date[:7]
                month = months.get(month_key)
                if month is None:
                    month = months[month_key] = QTreeWidgetItem(year, [t(f"{int(date[5:7])}月", date[:7])])
                parent = QTreeWidgetItem(month, [date_label(date, precision)])
                day = QDate(int(date[:4]), int(date[5:7]), int(date[8:10]))
                self.calendar.setDateTextFormat(day, marked)
                self._days[date] = [p["id"] for p in issue["pages"]]
            elif precision in ("month", "year"):
                parent = QTreeWidgetItem(year, [date_label(date, precision)])
            for page in issue["pages"]:
                label = page_label(page["page"])
                if page["page"] is None:
                    label += f"  ({page['source']})"
                item = QTreeWidgetItem(parent, [label])
                item.setData(0, PAGE_ROLE, page["id"])
                item.setToolTip(0, page["source"])
                self._items[page["id"]] = item
        self.tree.expandToDepth(1)
        self._mark_gaps()

    def _mark_gaps(self) -> None:
        """Show, in each month's label, how many days of it the archive holds."""
        root = self.tree.invisibleRootItem()
        for y in range(root.childCount()):
            year = root.child(y)
            for m in range(year.childCount()):
                month = year.child(m)
                days = sum(1 for i in range(month.childCount()) if month.child(i).childCount())
                if days and month.childCount() and month.child(0).data(0, PAGE_ROLE) is None:
                    month.setText(0, month.text(0) + t(f"（{days}天）", f" ({days} days)"))

    def select_page(self, page_id: int) -> None:
        item = self._items.get(page_id)
        if item is None:
            return
        self.tree.blockSignals(True)
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)
        self.tree.blockSignals(False)
        for issue in self._issues:
            if any(p["id"] == page_id for p in issue["pages"]) and issue["date_precision"] == "day":
                y, m, d = (int(x) for x in issue["date"].split("-"))
                self.calendar.blockSignals(True)
                self.calendar.setSelectedDate(QDate(y, m, d))
                self.calendar.blockSignals(False)

    def jump_to_date(self, day: dt.date) -> bool:
        """Open the first page of that day's issue; False when the archive has no issue that day."""
        pages = self._days.get(day.isoformat())
        if not pages:
            self.missing_day.emit(day.isoformat())
            return False
        self.page_chosen.emit(pages[0])
        return True

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        page_id = item.data(0, PAGE_ROLE)
        if page_id is None and item.childCount():
            first = item
            while first.childCount() and first.data(0, PAGE_ROLE) is None:
                first = first.child(0)
            page_id = first.data(0, PAGE_ROLE)
        if page_id is not None:
            self.page_chosen.emit(int(page_id))

    def _on_date_clicked(self, date: QDate) -> None:
        self.jump_to_date(dt.date(date.year(), date.month(), date.day()))
