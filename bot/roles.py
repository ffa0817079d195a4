"""Roles and the person acting: deny by default, scoped to units."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol


class Role(IntEnum):
    TEACHER = 0
    SECRETARY = 1
    ADMIN = 2

    @property
    def zh(self) -> str:
        return ROLE_ZH[self]

    @classmethod
    def parse(cls, word: str) -> Role | None:
        return ROLE_WORDS.get(word.strip().lower())


ROLE_ZH = {Role.TEACHER: "教师", Role.SECRETARY: "支部书记", Role.ADMIN: "管理员"}
ROLE_WORDS = {
    "teacher": Role.TEACHER,
    "教师": Role.TEACHER,
    "党员": Role.TEACHER,
    "secretary": Role.SECRETARY,
    "书记": Role.SECRETARY,
    "支部书记": Role.SECRETARY,
    "党务干事": Role.SECRETARY,
    "admin": Role.ADMIN,
    "管理员": Role.ADMIN,
}


class Owned(Protocol):
    """Something a person creates for a unit: a poll, a call, a check-in, a meeting."""

    @property
    def unit_id(self) -> int | None: ...

    @property
    def creator_id(self) -> int | None: ...


@dataclass
class Actor:
    person_id: int
    platform: str
    user_id: str
    name: str
    is_admin: bool = False
    secretary_units: set[int] = field(default_factory=set)

    @property
    def role(self) -> Role:
        if self.is_admin:
            return Role.ADMIN
        if self.secretary_units:
            return Role.SECRETARY
        return Role.TEACHER

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @property
    def scope(self) -> set[int] | None:
        """The units whose things this person sees as their secretary (None: all, an admin)."""
        return None if self.is_admin else self.secretary_units

    def can_manage(self, unit_id: int | None) -> bool:
        """May this person act as secretary of the unit (None: of any unit)?"""
        if self.is_admin:
            return True
        if unit_id is None:
            return bool(self.secretary_units)
        return unit_id in self.secretary_units

    def may_manage(self, thing: Owned) -> bool:
        """The one ownership rule: an admin, its creator, or a secretary of its unit."""
        if self.is_admin:
            return True
        if thing.creator_id is not None and thing.creator_id == self.person_id:
            return True
        return thing.unit_id is not None and thing.unit_id in self.secretary_units
