"""Who acts: the desks' staff, where complaints belong, and the reporters.

Staff are real ``Actor`` values for the units of ``app.directory``: a few persons
on the national desk (many at national scale), an admin team per institution and
liaison officers per unit. Where a complaint belongs is drawn with weights: the
busy agencies (health, public works, environment, civil registration, transport,
education, water) get most, kecamatan and kelurahan a fair share, each clinic or
school a little.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from itertools import accumulate

from lapor_domain import (
    KOTA_CIREBON,
    Actor,
    InvalidInput,
    OrganisationDirectory,
    Reporter,
    UnitKind,
)

from .texts import FIRST_NAMES, LAST_NAMES

Random = Callable[[], float]

BUSY_UNITS: dict[str, float] = {
    "dinkes": 9.0,
    "dputr": 9.0,
    "dlh": 7.0,
    "disdukcapil": 7.0,
    "dbmpr": 6.0,
    "dishub": 5.0,
    "disdik": 5.0,
    "satpol-pp": 3.0,
    "dinsos": 3.0,
    "dprkp": 3.0,
    "dpkpp": 3.0,
    "dsda": 3.0,
    "bpkpd": 2.0,
    "bapenda": 2.0,
    "disnaker": 2.0,
    "dpmptsp": 2.0,
    "bpbd": 1.5,
}
KIND_WEIGHT: dict[UnitKind, float] = {
    UnitKind.OPD: 0.6,
    UnitKind.RSUD: 4.0,
    UnitKind.PUSKESMAS: 1.0,
    UnitKind.SEKOLAH: 0.8,
    UnitKind.KECAMATAN: 2.5,
    UnitKind.KELURAHAN: 1.5,
}
HOME_SHARE = 0.9
"""At city scale, the share of complaints that belong to the city itself (the rest: its neighbours)."""


def unit_weight(code: str, kind: UnitKind) -> float:
    if code.startswith("pdam"):
        return 5.0
    return BUSY_UNITS.get(code, KIND_WEIGHT[kind])


class _Weighted:
    """Draws one of ``items`` with the given weights in O(log n)."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, items: list[tuple[str, UnitKind]] | list[str], weights: list[float]) -> None:
        self._items = items
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]

    def draw(self, random: Random) -> int:
        return min(bisect_right(self._cumulative, random() * self._total), len(self._items) - 1)


class Routing:
    """Where a complaint really belongs (institution, unit), and where it is sent by mistake."""

    def __init__(self, directory: OrganisationDirectory, *, city: bool) -> None:
        holders = [i for i in directory.institutions if i.units]
        if not holders:
            raise InvalidInput("the directory has no institution with units to simulate")
        self.all_institutions = [i.code for i in directory.institutions]
        self._institutions = [i.code for i in holders]
        home = KOTA_CIREBON if KOTA_CIREBON in self._institutions else self._institutions[0]
        sizes = [float(len(i.units)) for i in holders]
        if city and len(holders) > 1:
            others = sum(s for code, s in zip(self._institutions, sizes, strict=True) if code != home)
            sizes = [
                HOME_SHARE if code == home else (1 - HOME_SHARE) * s / others
                for code, s in zip(self._institutions, sizes, strict=True)
            ]
        self._institution = _Weighted(self._institutions, sizes)
        self._units: dict[str, list[tuple[str, UnitKind]]] = {
            i.code: [(u.code, u.kind) for u in i.units] for i in holders
        }
        self._unit = {
            code: _Weighted(units, [unit_weight(c, k) for c, k in units])
            for code, units in self._units.items()
        }

    def home(self, random: Random) -> tuple[str, str, UnitKind]:
        institution = self._institutions[self._institution.draw(random)]
        unit, kind = self._units[institution][self._unit[institution].draw(random)]
        return institution, unit, kind

    def wrong_institution(self, random: Random, right: str) -> str | None:
        others = [code for code in self.all_institutions if code != right]
        return others[int(random() * len(others))] if others else None

    def wrong_unit(self, random: Random, institution: str, right: str) -> str | None:
        units = self._units[institution]
        if len(units) < 2:
            return None
        while (unit := units[self._unit[institution].draw(random)][0]) == right:
            pass
        return unit


class Staff:
    """The persons behind each desk, as ``Actor`` values built once and reused."""

    def __init__(self, *, city: bool) -> None:
        self.national = tuple(Actor.national(f"sp4n-{n:02d}") for n in range(1, (4 if city else 60) + 1))
        self._per_admin = 3 if city else 5
        self._admins: dict[str, tuple[Actor, ...]] = {}
        self._liaisons: dict[tuple[str, str], tuple[Actor, ...]] = {}

    def admin(self, institution: str) -> tuple[Actor, ...]:
        team = self._admins.get(institution)
        if team is None:
            team = tuple(
                Actor.admin(institution, f"admin-{institution}-{n}") for n in range(1, self._per_admin + 1)
            )
            self._admins[institution] = team
        return team

    def liaison(self, institution: str, unit: str) -> tuple[Actor, ...]:
        officers = self._liaisons.get((institution, unit))
        if officers is None:
            officers = tuple(Actor.liaison(institution, unit, f"pp-{institution}-{unit}-{n}") for n in (1, 2))
            self._liaisons[(institution, unit)] = officers
        return officers


class Reporters:
    """New members of the public, and some who reported recently and come back."""

    def __init__(self, rng: random.Random, repeat_share: float, remembered: int = 5_000) -> None:
        self._rng = rng
        self._repeat_share = repeat_share
        self._recent: deque[tuple[Actor, Reporter]] = deque(maxlen=remembered)

    def next(self) -> tuple[Actor, Reporter]:
        random = self._rng.random
        if self._recent and random() < self._repeat_share:
            return self._recent[int(random() * len(self._recent))]
        person = f"warga-{self._rng.getrandbits(48):012x}"
        first = FIRST_NAMES[int(random() * len(FIRST_NAMES))]
        last = LAST_NAMES[int(random() * len(LAST_NAMES))]
        contact_kind = random()
        if contact_kind < 0.7:
            contact: str | None = f"08{11 + int(random() * 88)}-{int(random() * 1e8):08d}"
        elif contact_kind < 0.85:
            contact = f"{first.lower()}.{last.lower()}{int(random() * 100)}@mail.id"
        else:
            contact = None
        found = (Actor.reporter(person), Reporter(name=f"{first} {last}", contact=contact))
        self._recent.append(found)
        return found
