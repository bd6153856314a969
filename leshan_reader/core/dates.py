"""Dates that may be known only to the year or month ("2021 (date not printed)")."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

DAY, MONTH, YEAR = "day", "month", "year"
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"{self.year}-{self.month:02d} has no day {self.day}")

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ValueError with the reason otherwise."""
        match = _ISO.match(str(text).strip())
        if not match:
            raise ValueError(f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
        year, month, day = (int(g) if g else None for g in match.groups())
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        if self.day is not None:
            return DAY
        return MONTH if self.month is not None else YEAR

    @property
    def label(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def start(self) -> str:
        return dt.date(self.year, self.month or 1, self.day or 1).isoformat()

    @property
    def end(self) -> str:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day).isoformat()

    def as_date(self) -> dt.date | None:
        return dt.date(self.year, self.month, self.day) if self.day is not None else None


def parse_range_bound(text: str, *, upper: bool) -> str:
    """A ``--from``/``--to`` value as an ISO day: the first day of it, or for ``--to`` the last."""
    date = PartialDate.parse(text)
    return date.end if upper else date.start
