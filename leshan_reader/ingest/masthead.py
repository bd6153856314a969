"""The masthead block at the top of a front page: page metadata, not article text.

``乐山日报 / 2021年9月15日 / 星期三 / 今日4版 / 总第11378期 / 总编辑：… / 天气预报：…``
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leshan_reader.core.dates import PartialDate
from leshan_reader.ingest.reflow import LINE, Paragraph

_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_WEEKDAY = re.compile(r"星期([一二三四五六日天])")
_FIELDS = {
    "pages_in_issue": re.compile(r"今日\s*(\d{1,2})\s*版"),
    "issue_number": re.compile(r"总第\s*(\d+)\s*期"),
    "editor_in_chief": re.compile(r"总编辑\s*[：:]\s*(\S+)"),
    "duty_editor": re.compile(r"值班编委\s*[：:]\s*(\S+)"),
    "weather": re.compile(r"天气预报\s*[：:]\s*(.+)$"),
    "lunar_date": re.compile(r"^(农历.+)$"),
    "serial_number": re.compile(r"(CN\s*\d{2}\s*-\s*\d{4})"),
}
_OTHER_MARKS = re.compile(r"日报$|^[A-Z ]*DAILY$|机关报$|出版$|出版物号|邮发代号|^星期")
_WEEKDAYS = "一二三四五六日"


@dataclass
class Masthead:
    paragraph_count: int  # how many leading paragraphs the masthead takes
    date: PartialDate | None = None
    fields: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _is_masthead_line(text: str) -> bool:
    return bool(
        _DATE.search(text)
        or _OTHER_MARKS.search(text)
        or any(pattern.search(text) for pattern in _FIELDS.values())
    )


def find_masthead(paragraphs: list[Paragraph], *, scan: int = 30) -> Masthead | None:
    """The masthead at the top of ``paragraphs``, if the page has one."""
    last = -1
    marks = 0
    gap = 0
    for index, paragraph in enumerate(paragraphs[:scan]):
        if paragraph.kind != LINE:
            break
        if _is_masthead_line(paragraph.text):
            last = index
            marks += 1
            gap = 0
        else:
            gap += 1
            if gap > 2:
                break
    has_date_or_number = any(
        _DATE.search(p.text) or _FIELDS["issue_number"].search(p.text) for p in paragraphs[: last + 1]
    )
    if marks < 3 or not has_date_or_number:
        return None
    masthead = Masthead(paragraph_count=last + 1)
    for paragraph in paragraphs[: last + 1]:
        text = paragraph.text
        if masthead.date is None and (match := _DATE.search(text)):
            try:
                masthead.date = PartialDate(*(int(g) for g in match.groups()))
            except ValueError as exc:
                masthead.warnings.append(f"masthead date {match.group(0)} is impossible: {exc}")
        if "weekday" not in masthead.fields and (match := _WEEKDAY.search(text)):
            masthead.fields["weekday"] = "星期" + match.group(1)
        for name, pattern in _FIELDS.items():
            if name not in masthead.fields and (match := pattern.search(text)):
                value = match.group(1).strip()
                masthead.fields[name] = int(value) if value.isdigit() else value
    _check_weekday(masthead)
    return masthead


def _check_weekday(masthead: Masthead) -> None:
    day = masthead.date.as_date() if masthead.date else None
    printed = masthead.fields.get("weekday")
    if day is None or not printed:
        return
    expected = "星期" + _WEEKDAYS[day.weekday()]
    if printed.replace("天", "日") != expected:
        masthead.warnings.append(
            f"the masthead prints {printed} but {day.isoformat()} was a {expected}"
        )
