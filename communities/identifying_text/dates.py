"""Dates that look like a child's date of birth (see the package's docstring for the rules)."""

from __future__ import annotations

import re
from datetime import date

from communities.identifying_text.findings import ADVICE, DATE_OF_BIRTH, Finding

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
for _name, _number in list(_MONTHS.items()):
    _MONTHS[_name[:3]] = _number
_MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_ORD = r"(?:st|nd|rd|th)?"
_NOT_BEFORE = r"(?<![\w/.\-])"
_NOT_AFTER = r"(?![\w/\-]|[.,]\d)"

# (pattern, groups are day/month/year by name). Full dates first; partial ones need a birth cue.
_FULL_DATE_RES = [
    re.compile(
        _NOT_BEFORE + r"(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})" + _NOT_AFTER
    ),
    re.compile(_NOT_BEFORE + r"(?P<y>\d{4})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _NOT_AFTER),
    re.compile(
        r"(?<!\w)(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?(?P<mn>" + _MONTH + r")\.?,?\s+(?P<y>\d{4})(?!\w)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<!\w)(?P<mn>" + _MONTH + r")\.?\s+(?P<d>\d{1,2})" + _ORD + r",?\s+(?P<y>\d{4})(?!\w)",
        re.IGNORECASE,
    ),
]
_PARTIAL_DATE_RES = [
    re.compile(r"(?<!\w)(?P<mn>" + _MONTH + r")\.?,?\s+(?P<y>\d{4})(?!\w)", re.IGNORECASE),
    re.compile(
        r"(?<!\w)(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?(?P<mn>" + _MONTH + r")(?!\w)", re.IGNORECASE
    ),
    re.compile(r"(?<!\w)(?P<mn>" + _MONTH + r")\.?\s+(?P<d>\d{1,2})" + _ORD + r"(?!\w)", re.IGNORECASE),
    re.compile(_NOT_BEFORE + r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})" + _NOT_AFTER),
]

_BIRTH_WORD = r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b|\bborn\b)"
# The birth cue straight before a date: "DOB: ", "(d.o.b. ", "born on the ", "date of birth - ".
_BIRTH_CUE_RE = re.compile(
    _BIRTH_WORD + r"[\s:=(\-–—,]*(?:(?:on|in|is|was|of|the)\b[\s:,]*){0,3}$", re.IGNORECASE
)
_BIRTH_NEARBY_RE = re.compile(_BIRTH_WORD, re.IGNORECASE)
_EVENT_WORDS = frozenset(
    """
    on since from until till by between dated issued held visited visit seen met meeting started
    starting start joined began beginning admitted arrived excluded suspended diagnosed assessed
    assessment referred referral reviewed review received submitted sent completed signed effective
    wc w/c commencing ending end deadline due appointment observed observation attended took
    """.split()
)


def find_dates(text: str, today: date) -> list[Finding]:
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for pattern in _FULL_DATE_RES:
        for match in pattern.finditer(text):
            if _overlaps(match.start(), match.end(), taken):
                continue
            when = _full_date(match, today)
            if when is None:
                continue
            taken.append((match.start(), match.end()))
            if _is_birth_cued(text, match.start()) or _looks_like_birth_date(
                text, match.start(), when, today
            ):
                found.append(
                    Finding(DATE_OF_BIRTH, match.group(), match.start(), match.end(), ADVICE[DATE_OF_BIRTH])
                )
    for pattern in _PARTIAL_DATE_RES:
        for match in pattern.finditer(text):
            if _overlaps(match.start(), match.end(), taken) or not _is_birth_cued(text, match.start()):
                continue
            if not _partial_date_is_valid(match):
                continue
            taken.append((match.start(), match.end()))
            found.append(
                Finding(DATE_OF_BIRTH, match.group(), match.start(), match.end(), ADVICE[DATE_OF_BIRTH])
            )
    return found


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def _full_date(match: re.Match[str], today: date) -> date | None:
    groups = match.groupdict()
    year_text = groups["y"]
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if 2000 + year <= today.year else 1900
    day = int(groups["d"])
    if groups.get("mn"):
        return _date_or_none(year, _MONTHS[groups["mn"].lower()], day)
    month = int(groups["m"])
    parsed = _date_or_none(year, month, day)
    if parsed is None and groups.get("sep") == "/" and len(year_text) == 4 and match.group().index("/") <= 2:
        parsed = _date_or_none(year, day, month)  # an American-style 03/25/2015
    return parsed


def _partial_date_is_valid(match: re.Match[str]) -> bool:
    groups = match.groupdict()
    month = _MONTHS[groups["mn"].lower()] if groups.get("mn") else int(groups["m"])
    if "d" not in groups:
        return 1 <= month <= 12
    return _date_or_none(2000, month, int(groups["d"])) is not None  # 2000 was a leap year


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _is_birth_cued(text: str, start: int) -> bool:
    return _BIRTH_CUE_RE.search(text[max(0, start - 40) : start]) is not None


def _looks_like_birth_date(text: str, start: int, when: date, today: date) -> bool:
    age = today.year - when.year - ((today.month, today.day) < (when.month, when.day))
    if not 2 <= age <= 20:
        return False
    clause = re.split(r"[.!?;\n]", text[max(0, start - 60) : start])[-1]
    if _BIRTH_NEARBY_RE.search(clause):
        return True  # "born at 28 weeks on 12/03/2015": the "on" is not an event
    last_words = re.findall(r"[a-z/]+", clause.lower())[-3:]
    return not any(word in _EVENT_WORDS for word in last_words)
