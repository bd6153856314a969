"""Issues by date: a calendar with the days that have issues marked, and a year → month → day
tree of issues and their pages. Pages whose day is not known sit under their year as
"2021 (date not printed)"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPalette, QTextCharFormat
from PySide6.QtWidgets import QCalendarWidget, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from leshan_reader.core.i18n import t
from leshan_reader.ui import USER_ROLE
from leshan_reader.ui.render import date_label, page_label

PAGE_ROLE = USER_ROLE
MONTH_ROLE = USER_ROLE + 1
# Up to this many days of issues the tree is filled and opened to the days at once (about a
# year); a larger archive's months are filled as they are opened.
_ALL_DAYS_SHOWN_UP_TO = 400


def _solid_brush(color: QColor) -> QBrush:
    # QBrush(color) would make PySide weigh QBrush(Qt.GlobalColor) and so the whole Qt namespace
    # (see leshan_reader.ui); a palette's brushes are solid.
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Button, color)
    return palette.button()


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
        self.splitter = QSplitter(parent=self)
        self.splitter.setProperty("orientation", "Vertical")  # no Qt enum: see leshan_reader.ui
        self.splitter.addWidget(self.calendar)
        self.splitter.addWidget(self.tree)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._days: dict[str, list[int]] = {}
        self._items: dict[int, QTreeWidgetItem] = {}
        self._issues: list[dict] = []
        self._unfilled: dict[str, tuple[QTreeWidgetItem, list[dict]]] = {}  # month -> its issues
        self._page_month: dict[int, str] = {}  # page id -> month key, for dated pages
        self.tree.itemExpanded.connect(self._on_item_expanded)
        self.tree.itemActivated.connect(self._on_item_activated)
        self.tree.itemClicked.connect(self._on_item_activated)
        self.calendar.clicked.connect(self._on_date_clicked)

    def set_issues(self, issues: list[dict]) -> None:
        self._issues = issues
        self.tree.clear()
        self._items.clear()
        self._days.clear()
        self._unfilled.clear()
        self._page_month.clear()
        years: dict[str, QTreeWidgetItem] = {}
        months = self._unfilled
        marked = QTextCharFormat()
        marked.setFontWeight(QFont.Weight.Bold)
        marked.setBackground(_solid_brush(QColor("#c8e6c9")))
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clear earlier marks
        # Built detached and added in one call; a month's days and pages are made when it is
        # first opened, unless the archive is small (five years: 9,000 items, 220 ms at start).
        for issue in issues:
            date, precision = issue["date"], issue["date_precision"]
            year_key = date[:4] if date else t("日期不明", "Undated")
            year = years.get(year_key)
            if year is None:
                year = years[year_key] = QTreeWidgetItem([year_key])
            if precision == "day":
                month_key = date[:7]
                if month_key not in months:
                    month = QTreeWidgetItem(year, [t(f"{int(date[5:7])}月", date[:7])])
                    month.setData(0, MONTH_ROLE, month_key)
                    months[month_key] = (month, [])
                months[month_key][1].append(issue)
                day = QDate(int(date[:4]), int(date[5:7]), int(date[8:10]))
                self.calendar.setDateTextFormat(day, marked)
                self._days[date] = [p["id"] for p in issue["pages"]]
                self._page_month.update((p["id"], month_key) for p in issue["pages"])
            elif precision in ("month", "year"):
                self._add_pages(QTreeWidgetItem(year, [date_label(date, precision)]), issue)
            else:
                self._add_pages(year, issue)
        for month, month_issues in months.values():
            # How many days of the month the archive holds: the gaps show.
            days = len(month_issues)
            month.setText(0, month.text(0) + t(f"（{days}天）", f" ({days} days)"))
            month.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        lazy = len(self._days) > _ALL_DAYS_SHOWN_UP_TO
        if not lazy:
            for key in list(months):
                self._fill_month(key)
        self.tree.addTopLevelItems(list(years.values()))
        self.tree.expandToDepth(0 if lazy else 1)

    def _add_pages(self, parent: QTreeWidgetItem, issue: dict) -> None:
        for page in issue["pages"]:
            label = page_label(page["page"])
            if page["page"] is None:
                label += f"  ({page['source']})"
            item = QTreeWidgetItem(parent, [label])
            item.setData(0, PAGE_ROLE, page["id"])
            item.setToolTip(0, page["source"])
            self._items[page["id"]] = item

    def _fill_month(self, month_key: str) -> None:
        entry = self._unfilled.pop(month_key, None)
        if entry is None:
            return
        month, month_issues = entry
        for issue in month_issues:
            self._add_pages(QTreeWidgetItem(month, [date_label(issue["date"], "day")]), issue)

    def _on_item_expanded(self, item: QTreeWidgetItem) -> None:
        month_key = item.data(0, MONTH_ROLE)
        if month_key is not None:
            self._fill_month(month_key)

    def _item_for_page(self, page_id: int) -> QTreeWidgetItem | None:
        if page_id not in self._items and page_id in self._page_month:
            self._fill_month(self._page_month[page_id])
        return self._items.get(page_id)

    def select_page(self, page_id: int) -> None:
        item = self._item_for_page(page_id)
        if item is None:
            return
        self.tree.blockSignals(True)
        parent = item.parent()
        while parent is not None:  # a month made on demand is still closed
            parent.setExpanded(True)
            parent = parent.parent()
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
        self._on_item_expanded(item)  # a month not opened yet has no days to go to
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
