"""Which of the programme's areas a senior's words name (「堺市に 住んでるねん」 → 堺市).

A municipality is a run of kanji or kana ending in 市, 区, 町 or 村. It matches a known cohort area
exactly, or when one name is the other plus the suffix (「堺」 and 「堺市」), or the other plus a
whole municipality before it (「大阪市北区」 and 「北区」). A bare character before it is not enough:
「東大阪市」 is not 「大阪市」.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.common.programme.views import AreaView

SUFFIXES = "市区町村"
# A name ending in one of these is a whole place, so a longer name may begin with it.
_BOUNDARIES = "都道府県市区町村郡"
_NAME_CHARS = "\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff々ヶ"
_MUNICIPALITY = re.compile(f"[{_NAME_CHARS}]*?[{_NAME_CHARS}][{SUFFIXES}](?![{SUFFIXES}])")
# Particles and the like a senior writes before a place (「わたしは 堺市」), never part of its name.
_LEADING_HIRAGANA = re.compile("^[\u3041-\u3096]+")


@dataclass(frozen=True)
class AreaMatch:
    """`named`: the text names a municipality; `area`: the known area it is (None: not one of
    ours, or no place named at all)."""

    named: bool
    area: AreaView | None = None

    @property
    def unknown(self) -> bool:
        return self.named and self.area is None


NOTHING_NAMED = AreaMatch(named=False)


def municipalities(text: str) -> list[str]:
    """The municipality names in `text`, in order (「大阪市北区」 stays one name)."""
    found: list[str] = []
    for run in re.findall(f"[{_NAME_CHARS}]+", text):
        previous_end = -1
        for match in _MUNICIPALITY.finditer(run):
            name = match.group(0)
            # A run may start with the particle before it: keep the name from its first kanji on
            # when there is one (「わたしはつくば市」 keeps its kana).
            trimmed = _LEADING_HIRAGANA.sub("", name)
            name = trimmed if len(trimmed) > 1 else name
            # The lazy pattern splits 「大阪市北区」 into 「大阪市」「北区」: a ward, town or village
            # written right after a city or district (no particle between) is one name with it.
            adjacent = match.start() == previous_end and name == match.group(0)
            if adjacent and found[-1][-1] in "市郡" and name[-1] in "区町村":
                found[-1] += name
            else:
                found.append(name)
            previous_end = match.end()
    return found


def same_area(said: str, known: str) -> bool:
    if said == known:
        return True
    shorter, longer = sorted((said, known), key=len)
    if longer.startswith(shorter):
        # 「堺」 and 「堺市」; or a ward of a known city (「堺市堺区」 is in 「堺市」).
        rest = longer[len(shorter) :]
        return (len(rest) == 1 and rest in SUFFIXES) or shorter[-1] in _BOUNDARIES
    if longer.endswith(shorter):
        return longer[: -len(shorter)][-1] in _BOUNDARIES
    return False


def find_area(text: str, areas: Sequence[AreaView], *, loose: bool = False) -> AreaMatch:
    """The known area `text` names. `loose` (the answer to 「どこに お住まい？」) also takes a
    known name said without its suffix and with no other municipality (「堺やで」)."""
    said = municipalities(text)
    for name in said:
        for area in areas:
            if same_area(name, area.name):
                return AreaMatch(named=True, area=area)
    if said:
        return AreaMatch(named=True)
    if loose:
        for area in sorted(areas, key=lambda a: len(a.name), reverse=True):
            stem = area.name[:-1] if area.name[-1] in SUFFIXES and len(area.name) > 1 else area.name
            if stem in text:
                return AreaMatch(named=True, area=area)
    return NOTHING_NAMED


def area_by_code(code: str | None, areas: Sequence[AreaView]) -> AreaView | None:
    return next((area for area in areas if area.code == code), None) if code else None
