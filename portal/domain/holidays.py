"""Where the days of the calendar come from: the chinesecalendar package for
the years it knows (official State Council schedules, make-up days
included), and an estimate for later years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays as holiday_rules

from portal.models.enums import DayKind

FIRST_LIBRARY_YEAR = 2004

# chinesecalendar's holiday names, in the Chinese the calendar shows.
LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# The holidays package (en_US names) for the lunar festivals of a year it
# only estimates; its "(observed)" and "Day off" entries are guesses at
# substitute days and are left out.
ESTIMATED_NAMES = {
    "New Year's Day": "元旦",
    "Chinese New Year's Eve": "春节",
    "Chinese New Year (Spring Festival)": "春节",
    "Tomb-Sweeping Day": "清明节",
    "Labor Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-Autumn Festival": "中秋节",
    "National Day": "国庆节",
}
FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (5, 2): "劳动节", (10, 1): "国庆节", (10, 2): "国庆节", (10, 3): "国庆节"}


@dataclass(frozen=True)
class DaySpec:
    day: date
    kind: DayKind
    name: str = ""

    @property
    def workday(self) -> bool:
        return self.kind.is_workday


def _days_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def _plain(day: date) -> DayKind:
    return DayKind.weekend if day.weekday() >= 5 else DayKind.weekday


@lru_cache(maxsize=1)
def library_years() -> tuple[int, ...]:
    """The years chinesecalendar knows (it raises NotImplementedError beyond)."""
    years = []
    year = FIRST_LIBRARY_YEAR
    while True:
        try:
            chinese_calendar.is_workday(date(year, 12, 31))
        except NotImplementedError:
            return tuple(years)
        years.append(year)
        year += 1


def library_days(year: int) -> list[DaySpec]:
    """Every date of ``year`` as the official schedule in chinesecalendar has it."""
    specs = []
    for day in _days_of(year):
        workday = chinese_calendar.is_workday(day)
        if day in chinese_calendar.holidays:
            specs.append(DaySpec(day, DayKind.holiday, LIBRARY_NAMES.get(chinese_calendar.holidays[day], "")))
        elif workday and day.weekday() >= 5:
            festival = LIBRARY_NAMES.get(chinese_calendar.workdays.get(day, ""), "")
            specs.append(DaySpec(day, DayKind.makeup, f"{festival}调休" if festival else "调休"))
        else:
            specs.append(DaySpec(day, _plain(day)))
    return specs


def estimated_holidays(year: int) -> dict[date, str]:
    """Statutory holidays knowable in advance: fixed dates plus the lunar
    festivals (Spring Festival eve to its third day, Qingming, Dragon Boat,
    Mid-Autumn), without substitute days."""
    found = {date(year, month, day): name for (month, day), name in FIXED_HOLIDAYS.items()}
    for day, names in holiday_rules.China(years=year, language="en_US").items():
        for name in names.split("; "):
            if name in ESTIMATED_NAMES:
                found.setdefault(day, ESTIMATED_NAMES[name])
    return found


def estimated_days(year: int) -> list[DaySpec]:
    """Monday–Friday minus the holidays knowable in advance; no make-up days."""
    known = estimated_holidays(year)
    return [
        DaySpec(day, DayKind.holiday, known[day]) if day in known else DaySpec(day, _plain(day))
        for day in _days_of(year)
    ]


def plain_days(year: int, exceptions: dict[date, tuple[bool, str]]) -> list[DaySpec]:
    """A year from an official schedule given as exceptions (holidays and
    make-up days) to the Monday–Friday rule."""
    specs = []
    for day in _days_of(year):
        if day in exceptions:
            workday, name = exceptions[day]
            if workday:
                kind = DayKind.makeup if day.weekday() >= 5 else DayKind.weekday
            else:
                kind = DayKind.holiday if day.weekday() < 5 or name else DayKind.weekend
            specs.append(DaySpec(day, kind, name))
        else:
            specs.append(DaySpec(day, _plain(day)))
    return specs
