"""The roles a person can hold, and what each role is scoped to."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SCHOOL_LEADER = "school_leader"
    SENCO = "senco"
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    OFFICER = "officer"
    FINANCE = "finance"
    #: A member of the Area Board: the last stage of a dispute, for every community of its area.
    AREA_BOARD = "area_board"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def spelled_out(self) -> str:
        """The label, with an acronym spelled out: "SENCO (special educational needs coordinator)"."""
        return _SPELLED_OUT.get(self, self.label)


_SPELLED_OUT = {Role.SENCO: "SENCO (special educational needs coordinator)"}

ROLE_LABELS: dict[Role, str] = {
    Role.SCHOOL_LEADER: "School leader",
    Role.SENCO: "SENCO",
    Role.CHAIR: "Community chair",
    Role.VICE_CHAIR: "Vice chair",
    Role.OFFICER: "Council officer",
    Role.FINANCE: "Finance officer",
    Role.AREA_BOARD: "Area Board member",
}

#: Roles held for a school: the membership must name the school.
SCHOOL_ROLES = frozenset({Role.SCHOOL_LEADER, Role.SENCO})
#: Roles held for a community: the membership must name the community.
COMMUNITY_ROLES = frozenset({Role.CHAIR, Role.VICE_CHAIR})
#: County-wide roles: they may name a community, but need not.
COUNTY_ROLES = frozenset({Role.OFFICER, Role.FINANCE})
#: Roles held for an area: the membership names any community of the area (``community_code``),
#: and the role covers every community of that community's area.
AREA_ROLES = frozenset({Role.AREA_BOARD})
