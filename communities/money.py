"""Money as whole pence: read from what people type, and written back the way they say it.

Amounts are always integers of pence (never floats). People type pounds: ``48000``,
``48,000.00`` or ``£1,500.50``; anything else is refused rather than guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal

_MONEY = re.compile(r"^£?\s*(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d{2}))?$")


def parse_pence(typed: str, *, most: int) -> int:
    """'£1,500.50' -> 150050. Raises ValueError unless it is more than £0 and at most ``most`` pence."""
    found = _MONEY.match(typed.strip())
    if found is None:
        raise ValueError(typed)
    amount = Decimal(found["pounds"].replace(",", "")) * 100 + Decimal(found["pence"] or 0)
    if amount <= 0 or amount > most:
        raise ValueError(typed)
    return int(amount)


def pounds(amount_pence: int) -> str:
    """150050 -> '£1,500.50'; whole pounds without pence: '£48,000'; below zero: '-£500'."""
    sign = "-" if amount_pence < 0 else ""
    whole, part = divmod(abs(amount_pence), 100)
    return f"{sign}£{whole:,}" + (f".{part:02d}" if part else "")
