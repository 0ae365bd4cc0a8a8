"""Financial years as councils write them: ``2026-27`` runs from 1 April 2026 to 31 March 2027."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR = re.compile(r"^(?P<start>\d{4})\s*[-/–]\s*(?P<end>\d{2}|\d{4})$")


@dataclass(frozen=True, order=True)
class FinancialYear:
    #: The calendar year it starts in (April).
    start_year: int

    @classmethod
    def parse(cls, typed: str) -> FinancialYear:
        """``2026-27`` (or ``2026/27``, ``2026-2027``); ValueError for anything else."""
        found = _YEAR.match(typed.strip())
        if found is None:
            raise ValueError(typed)
        start, end = int(found["start"]), int(found["end"])
        if end != (start + 1) % (100 if end < 100 else 10_000) or not 2000 <= start <= 2100:
            raise ValueError(typed)
        return cls(start)

    @classmethod
    def of(cls, day: date) -> FinancialYear:
        """The financial year a day falls in."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def starts_on(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def ends_on(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def __str__(self) -> str:
        return self.label
