from __future__ import annotations

from communities.declarations.conflict_rules import (
    ConflictKind,
    DeclaredInterest,
    InterestKind,
    Member,
    RequestFacts,
    Ruling,
    conflicts_for,
    flag_members,
)

REQUEST = RequestFacts(
    school_urn="990102",
    school_name="St Dunstan's Church of England Primary School",
    school_trust="Stour Valley Learning Trust",
    providers=("Speech Works Ltd", "Kent Outreach Service"),
)


def member(name: str, urns: set[str], trusts: set[str] = frozenset(), *interests: DeclaredInterest) -> Member:  # type: ignore[assignment]
    return Member(len(name), name, frozenset(urns), frozenset(trusts), tuple(interests))


def kinds(m: Member) -> list[tuple[ConflictKind, Ruling]]:
    return [(c.kind, c.ruling) for c in conflicts_for(m, REQUEST)]


def test_a_member_from_the_requesting_school_may_present_but_not_decide() -> None:
    grace = member("Grace Li", {"990102"}, {"Stour Valley Learning Trust"})
    assert kinds(grace) == [(ConflictKind.OWN_SCHOOL, Ruling.MAY_PRESENT_NOT_DECIDE)]
    assert "is their school" in conflicts_for(grace, REQUEST)[0].reason


def test_the_same_trust_is_flagged_whatever_the_spelling() -> None:
    other = member("Ola Head", {"990103"}, {"stour valley  learning trust"})
    assert kinds(other) == [(ConflictKind.SAME_TRUST, Ruling.MAY_PRESENT_NOT_DECIDE)]


def test_no_connection_means_no_flag() -> None:
    assert kinds(member("Tom Walsh", {"990201"}, {"Coastal Schools Partnership"})) == []


def test_a_pecuniary_interest_in_a_named_provider_means_withdrawing() -> None:
    for declared in ("speech works limited", "SpeechWorks", "Speech-Works", "Speech Works Ltd (Kent)"):
        interest = DeclaredInterest(InterestKind.BUSINESS_OR_FINANCIAL, pecuniary=True, provider=declared)
        assert kinds(member("Ann Director", {"990301"}, set(), interest)) == [
            (ConflictKind.DECLARED_PROVIDER, Ruling.WITHDRAW)
        ], declared
    unrelated = DeclaredInterest(InterestKind.BUSINESS_OR_FINANCIAL, pecuniary=True, provider="Works")
    assert kinds(member("Ann Director", {"990301"}, set(), unrelated)) == []  # one common word is not a name


def test_declared_interests_in_the_school_or_trust_follow_their_nature() -> None:
    governor = DeclaredInterest(InterestKind.GOVERNANCE, pecuniary=False, school_urn="990102")
    trustee = DeclaredInterest(
        InterestKind.EMPLOYMENT_OR_ROLE, pecuniary=True, trust="Stour Valley Learning Trust"
    )
    assert kinds(member("Gov", {"990301"}, set(), governor)) == [
        (ConflictKind.DECLARED_SCHOOL, Ruling.MAY_PRESENT_NOT_DECIDE)
    ]
    assert kinds(member("Paid", {"990301"}, set(), trustee)) == [
        (ConflictKind.DECLARED_TRUST, Ruling.WITHDRAW)
    ]


def test_flagged_members_come_strictest_first_with_their_overall_ruling() -> None:
    withdraws = member(
        "Zed Provider",
        {"990301"},
        set(),
        DeclaredInterest(InterestKind.OTHER, True, provider="Kent Outreach Service"),
    )
    presents = member("Amy Own", {"990102"})
    clear = member("Bob Clear", {"990201"})
    flagged = flag_members([presents, clear, withdraws], REQUEST)
    assert [(f.member.name, f.ruling) for f in flagged] == [
        ("Zed Provider", Ruling.WITHDRAW),
        ("Amy Own", Ruling.MAY_PRESENT_NOT_DECIDE),
    ]
