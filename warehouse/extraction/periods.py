"""Periods as reports print them: `2023年`, `2023E`, `2022H1` / `2022年上半年`, `2023Q2` /
`23Q2` / `2023年第二季度`, `2018年6月`, `2023年3月16日`, `2022年1-11月`, and spans
`2021-2026年` / `2016年至2019年`.

A period is written as the warehouse writes it (`2023`, `2022H1`, `2023Q2`, `2018-06`,
`2023-03-16`, months spans `2022-01/2022-11`), except a span of years, which is `2021-2026`.

A period the report marks as fiscal is labelled as one, `FY<year>` being the fiscal year that
ends in <year> (sources/README.md): `FY23Q2`, `FY2023 Q2`, `2023财年第二季度`, `23财年Q2`,
`2023财年第二财季` are `FY2023Q2`; `FY23H1`, `2023财年上半年` are `FY2023H1`. A quarter printed
without such a mark (微软 `23Q2`) is read as a calendar quarter: the extractor knows no
company's calendar, so a reviewer labels it from `fiscal_calendars.csv`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_YEAR = r"(?:19|20)\d{2}"
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}
_PATTERNS = (
    ("years", rf"(?P<a>{_YEAR})\s*年?\s*[-–—~至到]\s*(?P<b>{_YEAR})\s*(?:年|E\b)?"),
    ("months", rf"(?P<y>{_YEAR})\s*年\s*(?P<a>\d{{1,2}})\s*[-–~至]\s*(?P<b>\d{{1,2}})\s*月"),
    ("day", rf"(?P<y>{_YEAR})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]"),
    ("day", rf"(?P<y>{_YEAR})[-./](?P<m>\d{{1,2}})[-./](?P<d>\d{{1,2}})(?!\d)"),
    ("month", rf"(?P<y>{_YEAR})\s*年\s*(?P<m>\d{{1,2}})\s*月"),
    ("half", rf"(?P<y>{_YEAR})\s*年?\s*(?:H(?P<h>[12])|(?P<hz>[上下])半年)"),
    ("quarter", rf"(?P<y>{_YEAR})\s*年?\s*(?:Q(?P<q>[1-4])|第(?P<qz>[一二三四1-4])季度)"),
    ("quarter", r"(?<![\dA-Za-z])(?P<yy>\d{2})Q(?P<q>[1-4])"),
    (
        "fiscal",
        rf"(?:FY\s*(?P<y>{_YEAR}|\d{{2}})|(?<!\d)(?P<yz>{_YEAR}|\d{{2}})\s*财年)"
        rf"(?:\s*(?:Q(?P<q>[1-4])|第(?P<qz>[一二三四1-4])(?:财季|季度)|H(?P<h>[12])"
        rf"|(?P<hz>[上下])半年))?",
    ),
    ("year", rf"(?P<y>{_YEAR})\s*(?P<e>年|E(?![A-Za-z])|e(?![A-Za-z]))"),
    # a bare year: a table header (2022支出) or a timeline; not a quantity (2000亿, 2019个)
    ("year", rf"(?<![\d.])(?P<y>{_YEAR})(?![\d.%％]|\s*[万亿千百个台家元美])"),
)
_COMPILED = [re.compile(pattern) for _, pattern in _PATTERNS]
# one scan for all shapes: each shape's groups unnamed, the shape named by its index
PERIOD = re.compile(
    "|".join(
        f"(?P<p{i}>{re.sub(r'[(][?]P<[a-z]+>', '(?:', pattern)})"
        for i, (_, pattern) in enumerate(_PATTERNS)
    )
)
# 相较2020年 / 比2021年: the year a change is measured from, not the figure's period
_BASE_BEFORE = re.compile(r"(?:相较|相比|较|比|同比|环比)(?:于)?\s*$")


@dataclass(frozen=True)
class Period:
    start: int
    end: int
    period: str
    kind: str  # `year` (a year or a span of years) or `date` (anything finer)
    estimated: bool  # 2023E: a forecast year
    base: bool  # the year a change is measured from
    bare: bool = False  # printed without 年 or E: on a line of quantities it is one too


def _label(shape: str, g: dict[str, str]) -> str:
    """The label of a period of `shape` from its groups ('' for a group that did not match)."""
    if shape == "years":
        return f"{g['a']}-{g['b']}"
    if shape == "months":
        return f"{g['y']}-{int(g['a']):02d}/{g['y']}-{int(g['b']):02d}"
    if shape == "day":
        return f"{g['y']}-{int(g['m']):02d}-{int(g['d']):02d}"
    if shape == "month":
        return f"{g['y']}-{int(g['m']):02d}"
    if shape == "half":
        return f"{g['y']}H{g['h'] or (1 if g['hz'] == '上' else 2)}"
    if shape == "quarter":
        year = g.get("y") or f"20{g.get('yy', '')}"
        quarter = g.get("q") or _QUARTERS.get(g.get("qz", ""), g.get("qz", ""))
        return f"{year}Q{quarter}"
    if shape == "fiscal":
        year = g.get("y") or g.get("yz", "")
        quarter = g.get("q") or _QUARTERS.get(g.get("qz", ""), g.get("qz", ""))
        half = g.get("h") or {"上": "1", "下": "2"}.get(g.get("hz", ""), "")
        part = f"Q{quarter}" if quarter else f"H{half}" if half else ""
        return f"FY{year if len(year) == 4 else '20' + year}{part}"
    return g["y"]


def periods(text: str) -> list[Period]:
    """Every period printed in `text`, in order."""
    found = []
    for match in PERIOD.finditer(text):
        index = next(i for i in range(len(_PATTERNS)) if match.group(f"p{i}"))
        shape = _PATTERNS[index][0]
        shaped = _COMPILED[index].fullmatch(match.group(0))
        assert shaped is not None  # the same pattern matched it inside PERIOD
        groups = {name: value or "" for name, value in shaped.groupdict().items()}
        label = _label(shape, groups)
        before = text[max(0, match.start() - 4) : match.start()]
        found.append(
            Period(
                match.start(),
                match.end(),
                label,
                # a year, a span of years or a fiscal year (FY2023, not FY2023Q2)
                "year"
                if shape in ("years", "year") or (shape == "fiscal" and len(label) == 6)
                else "date",
                (groups.get("e") or "").upper() == "E" or match.group(0).rstrip().endswith("E"),
                bool(_BASE_BEFORE.search(before)),
                index == len(_PATTERNS) - 1,
            )
        )
    return found


def _part_bounds(part: str) -> tuple[date, date] | None:
    match = re.fullmatch(r"(FY)?(\d{4})(?:([HQ])([1-4])|-(\d{2})(?:-(\d{2}))?)?", part)
    if not match:
        return None
    fiscal, year, half_or_quarter, index, month, day = match.groups()
    year = int(year)
    if day:
        first = date(year, int(month), int(day))
        return first, first
    if month:
        first, months = date(year, int(month), 1), 1
    elif half_or_quarter:
        months = 6 if half_or_quarter == "H" else 3
        first = date(year, months * (int(index) - 1) + 1, 1)
    else:
        first, months = date(year, 1, 1), 12
    last = _months_later(first, months) - timedelta(days=1)
    if fiscal:
        # the fiscal year ending in <year> ends in one of its twelve months: as the calendar
        # year at the latest, eleven months earlier at the earliest
        first = _months_later(first, -11)
    return first, last


def _months_later(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(period: str) -> tuple[date, date] | None:
    """First and last day of a period label. A fiscal period (FY2023Q2) is as wide as any
    fiscal calendar makes it (FY2023 is from 2022-02-01 at the earliest to 2023-12-31 at the
    latest): the extractor knows no company's calendar, and within those bounds it does not
    decide past or future by the date alone."""
    parts = period.split("/") if "/" in period else re.split(r"(?<=^\d{4})-(?=\d{4}$)", period)
    bounds = [b for b in map(_part_bounds, parts) if b is not None]
    if not bounds or len(bounds) < len(parts):
        return None
    return bounds[0][0], bounds[-1][1]
