"""What the checks find: the kinds of identifying text, the advice for each, and a finding."""

from __future__ import annotations

from dataclasses import dataclass

DATE_OF_BIRTH = "date_of_birth"
UPN = "upn"
NAME = "name"

ADVICE = {
    DATE_OF_BIRTH: "Give the pupil's year group instead of a date of birth.",
    UPN: "Leave out the UPN; the pupil's reference is enough.",
    NAME: "Use the pupil's reference instead of their name.",
}

DESCRIPTION = {
    DATE_OF_BIRTH: ("a date that looks like a date of birth", "dates that look like dates of birth"),
    UPN: ("what looks like a UPN", "what look like UPNs"),
    NAME: ("what looks like a name", "what look like names"),
}


@dataclass(frozen=True)
class Finding:
    kind: str  # DATE_OF_BIRTH | UPN | NAME
    text: str  # the matched span, text[start:end]
    start: int
    end: int
    advice: str
