"""What an officer chose to broadcast: a date range and all communities, an area or some communities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Selection:
    """Which meetings: London dates ``first``–``last`` inclusive, in an area or some communities."""

    first: date
    last: date
    area: str | None = None
    #: Empty means every community (in the area, if one is given).
    community_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise BroadcastRefused("The end date comes before the start date.")
        if (self.last - self.first).days > 400:
            raise BroadcastRefused("Choose at most a year of dates at a time.")

    def describe(self) -> str:
        span = f"{_day(self.first)} – {_day(self.last)}"
        if self.community_codes:
            return f"{span}, {', '.join(self.community_codes)}"
        return f"{span}, {self.area or 'all communities'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "area": self.area,
            "community_codes": list(self.community_codes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Selection:
        try:
            return cls(
                first=date.fromisoformat(str(data["first"])),
                last=date.fromisoformat(str(data["last"])),
                area=str(data["area"]) if data.get("area") else None,
                community_codes=tuple(str(c).upper() for c in data.get("community_codes") or ()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BroadcastRefused("That selection of meetings is not one I can read.") from exc


class BroadcastRefused(Exception):
    """The broadcast cannot be made or changed; the message says why, for the officer."""


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
