"""Conflicts of interest for a member and a request: pure functions (domain.md §4.2).

A member is flagged for a request when it comes from their own school, from a school
of the same trust, from a school or trust they declared an interest in, or when it
names a provider they declared an interest in. Each flag carries the default ruling
the chair starts from: the member may present but takes no part in the decision, or
withdraws for the item (the default for a pecuniary interest). The chair can rule
otherwise; the agenda uses the same functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class InterestKind(StrEnum):
    EMPLOYMENT_OR_ROLE = "employment_or_role"  # at another school or trust
    GOVERNANCE = "governance"
    RELATIONSHIP = "relationship"  # with staff at a community school
    BUSINESS_OR_FINANCIAL = "business_or_financial"  # in a provider the community may commission
    OTHER = "other"


class ConflictKind(StrEnum):
    OWN_SCHOOL = "own_school"
    SAME_TRUST = "same_trust"
    DECLARED_SCHOOL = "declared_school"
    DECLARED_TRUST = "declared_trust"
    DECLARED_PROVIDER = "declared_provider"


class Ruling(StrEnum):
    MAY_PRESENT_NOT_DECIDE = "may_present_not_decide"
    WITHDRAW = "withdraw"

    @property
    def label(self) -> str:
        if self is Ruling.WITHDRAW:
            return "withdraws for this item"
        return "may present and answer questions, but takes no part in the decision"


@dataclass(frozen=True)
class DeclaredInterest:
    kind: InterestKind
    pecuniary: bool
    school_urn: str | None = None
    trust: str | None = None
    provider: str | None = None


@dataclass(frozen=True)
class Member:
    person_id: int
    name: str
    school_urns: frozenset[str]
    #: Trusts of the member's own schools.
    trusts: frozenset[str]
    interests: tuple[DeclaredInterest, ...] = ()


@dataclass(frozen=True)
class RequestFacts:
    school_urn: str
    school_name: str
    school_trust: str | None
    #: Providers the request names (e.g. a therapy or training provider it asks to commission).
    providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    ruling: Ruling
    reason: str


@dataclass(frozen=True)
class FlaggedMember:
    member: Member
    conflicts: tuple[Conflict, ...]

    @property
    def ruling(self) -> Ruling:
        """The strictest of the member's conflicts."""
        if any(c.ruling is Ruling.WITHDRAW for c in self.conflicts):
            return Ruling.WITHDRAW
        return Ruling.MAY_PRESENT_NOT_DECIDE


def conflicts_for(member: Member, request: RequestFacts) -> list[Conflict]:
    found: list[Conflict] = []
    trust = _norm(request.school_trust)
    if request.school_urn in member.school_urns:
        found.append(
            Conflict(
                ConflictKind.OWN_SCHOOL,
                Ruling.MAY_PRESENT_NOT_DECIDE,
                f"{request.school_name} is their school",
            )
        )
    elif trust and trust in {_norm(t) for t in member.trusts}:
        found.append(
            Conflict(
                ConflictKind.SAME_TRUST,
                Ruling.MAY_PRESENT_NOT_DECIDE,
                f"their school is in the same trust ({request.school_trust})",
            )
        )
    for interest in member.interests:
        ruling = Ruling.WITHDRAW if interest.pecuniary else Ruling.MAY_PRESENT_NOT_DECIDE
        nature = "a pecuniary" if interest.pecuniary else "an"
        if interest.school_urn and interest.school_urn == request.school_urn:
            found.append(
                Conflict(
                    ConflictKind.DECLARED_SCHOOL,
                    ruling,
                    f"{nature} interest declared in {request.school_name}",
                )
            )
        if trust and _norm(interest.trust) == trust:
            found.append(
                Conflict(
                    ConflictKind.DECLARED_TRUST,
                    ruling,
                    f"{nature} interest declared in {request.school_trust}",
                )
            )
        provider = _named_provider(interest.provider, request.providers)
        if provider is not None:
            found.append(
                Conflict(ConflictKind.DECLARED_PROVIDER, ruling, f"{nature} interest declared in {provider}")
            )
    return found


def flag_members(members: Iterable[Member], request: RequestFacts) -> list[FlaggedMember]:
    """The members with at least one conflict, those who withdraw first, then by name."""
    flagged = [
        FlaggedMember(member, tuple(conflicts))
        for member in members
        if (conflicts := conflicts_for(member, request))
    ]
    return sorted(flagged, key=lambda f: (f.ruling is not Ruling.WITHDRAW, f.member.name))


def _named_provider(declared: str | None, named: Sequence[str]) -> str | None:
    """The provider in ``named`` that is the declared one, matching names loosely ("Ltd", case, spaces)."""
    wanted = _norm(declared, drop_suffixes=True)
    if len(wanted) < 3:
        return None
    for provider in named:
        candidate = _norm(provider, drop_suffixes=True)
        same = candidate.replace(" ", "") == wanted.replace(" ", "")  # "SpeechWorks" is "Speech Works"
        if candidate and (same or _contains_words(candidate, wanted) or _contains_words(wanted, candidate)):
            return provider
    return None


_SUFFIXES = re.compile(r"\b(ltd|limited|llp|plc|cic|inc|the)\b")


def _norm(name: str | None, *, drop_suffixes: bool = False) -> str:
    if not name:
        return ""
    text = re.sub(r"[^a-z0-9 ]+", " ", name.lower())
    if drop_suffixes:
        text = _SUFFIXES.sub(" ", text)
    return " ".join(text.split())


def _contains_words(haystack: str, needle: str) -> bool:
    """Whole words of a name of two or more words ("Kent Outreach" in "Kent Outreach Service")."""
    return " " in needle and f" {needle} " in f" {haystack} "
