"""The roster as read from its CSV files, checked and ready to import; and the import's problems."""

from __future__ import annotations

from dataclasses import dataclass

from communities.csv_reading import (
    CsvImportError,
    CsvProblem,
)
from communities.csv_reading import Progress as Progress  # re-exported: the imports take it from here
from communities.roster.roles import SCHOOL_ROLES, Role
from communities.roster.tables import Membership

COMMUNITIES_FILE = "communities.csv"

SCHOOLS_FILE = "schools.csv"

PEOPLE_FILE = "people.csv"

COMMUNITY_COLUMNS = ("code", "name", "area", "district")

SCHOOL_COLUMNS = ("urn", "name", "phase", "trust", "community_code")

PEOPLE_COLUMNS = ("email", "name", "aad_object_id", "role", "school_urn", "community_code")


class RosterProblem(CsvProblem):
    """One thing wrong with the files, told the way a spreadsheet user can find it."""


class RosterImportError(CsvImportError[RosterProblem]):
    """The files had problems, so nothing was imported."""

    source = "the roster files"


@dataclass(frozen=True)
class CommunityRecord:
    code: str
    name: str
    area: str
    district: str


@dataclass(frozen=True)
class SchoolRecord:
    urn: str
    name: str
    phase: str
    trust: str | None
    community_code: str


@dataclass(frozen=True)
class PersonRecord:
    email: str
    name: str
    aad_object_id: str | None


@dataclass(frozen=True)
class MembershipRecord:
    """One people.csv row. For a school role, ``community_code`` is the school's community; for a
    chair or vice chair, ``school_urn`` (if given) is their own school, one of that community's."""

    email: str
    role: Role
    school_urn: str | None
    community_code: str | None

    @property
    def scope_key(self) -> str:
        # A school role is keyed on the school alone, so a school moving to another
        # community updates its staff's memberships instead of replacing them.
        if self.role in SCHOOL_ROLES:
            return Membership.make_scope_key(self.role, self.school_urn, None)
        return Membership.make_scope_key(self.role, None, self.community_code)


@dataclass(frozen=True)
class Roster:
    """The three files, checked: every reference resolves and every key is unique."""

    communities: list[CommunityRecord]
    schools: list[SchoolRecord]
    people: list[PersonRecord]
    memberships: list[MembershipRecord]
    #: ``file: column`` for each header column the import does not use.
    ignored_columns: list[str]
    #: SHA-256 of the three files, so the audit log can tell imports of the same files apart.
    fingerprint: str

    @property
    def areas(self) -> list[str]:
        return list(dict.fromkeys(community.area for community in self.communities))
