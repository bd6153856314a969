"""The issue browser on an archive too large to lay out at once (months filled as opened)."""

import datetime as dt

import pytest

from leshan_reader.ui.issue_browser import _ALL_DAYS_SHOWN_UP_TO, IssueBrowser

pytestmark = pytest.mark.gui


def years_of_issues(days: int) -> list[dict]:
    """``days`` daily issues of four pages from 2020-01-01 on, every seventh day missing."""
    issues, page_id, day = [], 0, dt.date(2020, 1, 1)
    while len(issues) < days:
        if day.toordinal() % 7:
            pages = [{"id": page_id + n, "page": n + 1, "source": f"{day}_{n + 1:02d}.txt"} for n in range(4)]
            page_id += 4
            issues.append({"date": day.isoformat(), "date_precision": "day", "pages": pages})
        day += dt.timedelta(days=1)
    return issues


def labels_under(item):
    return [item.child(i).text(0) for i in range(item.childCount())]


def test_a_large_archive_shows_its_months_and_fills_one_when_it_is_opened(qtbot):
    issues = years_of_issues(_ALL_DAYS_SHOWN_UP_TO + 200)
    browser = IssueBrowser()
    qtbot.addWidget(browser)
    browser.set_issues(issues)
    year = browser.tree.topLevelItem(0)
    assert year.text(0) == "2020" and year.isExpanded()
    january = year.child(0)
    days_in_january = sum(1 for i in issues if i["date"].startswith("2020-01"))
    assert january.text(0) == f"1月（{days_in_january}天）"  # the gaps show before it is opened
    assert january.childCount() == 0 and not january.isExpanded()
    january.setExpanded(True)  # as a click on its arrow does
    assert len(labels_under(january)) == days_in_january
    assert labels_under(january.child(0)) == ["第1版", "第2版", "第3版", "第4版"]


def test_a_page_in_a_month_not_yet_opened_can_be_selected_and_reached_by_date(qtbot):
    issues = years_of_issues(_ALL_DAYS_SHOWN_UP_TO + 200)
    browser = IssueBrowser()
    qtbot.addWidget(browser)
    browser.set_issues(issues)
    late = issues[-1]
    browser.select_page(late["pages"][2]["id"])
    current = browser.tree.currentItem()
    assert current.text(0) == "第3版" and current.parent().parent().isExpanded()
    with qtbot.waitSignal(browser.page_chosen) as chosen:
        assert browser.jump_to_date(dt.date.fromisoformat(issues[40]["date"]))
    assert chosen.args == [issues[40]["pages"][0]["id"]]
    february = browser.tree.topLevelItem(0).child(1)
    assert february.childCount() == 0
    with qtbot.waitSignal(browser.page_chosen) as chosen:  # a click on a closed month: its first page
        browser.tree.itemClicked.emit(february, 0)
    first_of_february = next(i for i in issues if i["date"].startswith("2020-02"))
    assert chosen.args == [first_of_february["pages"][0]["id"]]


def test_a_small_archive_is_shown_down_to_its_days_at_once(qtbot):
    issues = years_of_issues(30)
    browser = IssueBrowser()
    qtbot.addWidget(browser)
    browser.set_issues(issues)
    january = browser.tree.topLevelItem(0).child(0)
    assert january.isExpanded() and january.childCount() == sum(1 for i in issues if i["date"] < "2020-02")
