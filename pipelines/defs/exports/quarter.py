"""Calendar quarters (KST): the unit of the advisory pack."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")
_PARTITION = re.compile(r"^\s*(\d{4})-(\d{2})-01\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """`2026Q3`, `2026-Q3`, `2026q3` or a partition key (the quarter's first day, `2026-07-01`)."""
        match = _QUARTER.match(text)
        if match:
            return cls(int(match[1]), int(match[2]))
        match = _PARTITION.match(text)
        if match and int(match[2]) in (1, 4, 7, 10):
            return cls(int(match[1]), (int(match[2]) - 1) // 3 + 1)
        raise ValueError(f"{text!r} is not a quarter: write it as 2026Q3 (year, Q, 1 to 4)")

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        """`2026Q3`: the command line's and survey_quarterly's spelling."""
        return f"{self.year}Q{self.number}"

    @property
    def folder(self) -> str:
        """`2026-Q3`: the pack's folder under exports/ (outputs.md)."""
        return f"{self.year}-Q{self.number}"

    @property
    def label_ko(self) -> str:
        return f"{self.year}년 {self.number}분기"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def months(self) -> list[date]:
        return [date(self.year, 3 * self.number - 2 + i, 1) for i in range(3)]

    @property
    def partition_key(self) -> str:
        """The Dagster partition key: the quarter's first day."""
        return self.first_day.isoformat()

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return self.key
