"""Every numeric mention of a document: the number, its unit, and what its sentence says about
it (period, qualifier, forecast), its kind, and the quote a curated row would cite.

The text layer is read as one stream of lines. A text layer breaks lines wherever its layout
did, so a sentence runs across line breaks until it ends (。！？；), until a line that does not
reach the text's full width (a heading, a caption, the end of a paragraph), or until a line
that starts a list item. A line of several numeric cells is a table row, flattened: its cells
take their periods from the nearest header line above it that prints periods (`2022支出
2022增长率 2023支出（预测）`), and its quote is the row.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple, TypeVar

from warehouse.documents import Document, squeeze
from warehouse.extraction.numbers import Number, numbers
from warehouse.extraction.periods import Period, period_bounds, periods
from warehouse.qualifiers import QUALIFIER_OF, QUALIFIER_PATTERN

FIGURE, YEAR, DATE = "figure", "year", "date"
PAGE_NUMBER, STOCK_CODE = "page_number", "stock_code"
SECTION_NUMBER, TABLE_NUMBER = "section_number", "table_number"
KINDS = (FIGURE, YEAR, DATE, PAGE_NUMBER, STOCK_CODE, SECTION_NUMBER, TABLE_NUMBER)

_SENTENCE_END = re.compile(r"[。！？；!?;]")
_CLAUSE_END = re.compile(r"[，。；！？,;!?：:]")
_LIST_ITEM = re.compile(r"^\s*(?:[•●■◆▪▶►①-⑳]|[（(]\d{1,2}[）)]|\d{1,2}[、．]|[\ue000-\uf8ff])")
_STOCK_CODE = re.compile(r"^\d{4,6}\.(?:HK|SH|SZ|BJ|US|O|N)\b|^[（(]\d{6}[)）]$")
_SECTION = re.compile(r"^\s*(?:第)?\d{1,2}(?:\.\d{1,2}){1,3}(?=\s+\S)")
_ENUMERATION = re.compile(r"[（(]\d{1,2}[）)]$|^\d{1,2}[、．]")
_TABLE_LABEL = re.compile(r"(?:图表|图|表|Figure|Table)\s*$")
_SOURCE_LINE = re.compile(r"(?:数据|资料|信息)?来源[:：]")
# 将 as the future tense (将达到, 将在), not as the object marker (将AI推理平台部署)
_FORECAST_WORDS = re.compile(r"预测|预计|有望|将(?=[达会在有增提进超实保成继迎突])|规划|计划|拟")
_NEGATIVE_WORDS = re.compile(r"(?:下降|下滑|减少|下跌|降低|亏损)了?(?:约|近|将近|超过|超)?$")
_CELL = re.compile(r"\S+")
FULL_WIDTH_SHARE = 0.8  # a line shorter than this share of the text's width ends a paragraph
QUOTE_CHARS = 100  # a prose quote: the number's clause, and clauses before it up to this size


class Mention(NamedTuple):
    """One numeric mention. A tuple, not a dataclass: stored extractions hold ~700 mentions a
    report, and as tuples they unpickle and build about twice as fast."""

    line: int  # 1-based line of the text layer where the number starts
    page: int
    value: float
    value_as_printed: str
    unit: str
    period: str
    is_forecast: bool
    qualifier: str
    kind: str
    quote: str
    offset: int  # where the number starts in the document's text without whitespace


class MentionColumns(NamedTuple):
    """Mentions as one sequence per field, in Mention's order: how a refresh stores, matches
    and writes them. A thousand reports have 700,000 mentions; unpickling them, making the
    coverage rows and their frames took 4.4 s with a tuple per mention, 2.3 s by column."""

    line: Sequence[int]
    page: Sequence[int]
    value: Sequence[float]
    value_as_printed: Sequence[str]
    unit: Sequence[str]
    period: Sequence[str]
    is_forecast: Sequence[bool]
    qualifier: Sequence[str]
    kind: Sequence[str]
    quote: Sequence[str]
    offset: Sequence[int]

    @classmethod
    def of(cls, mentions: Sequence[Mention]) -> MentionColumns:
        if not mentions:
            return cls(*([] for _ in cls._fields))
        return cls(*map(list, zip(*mentions, strict=True)))

    @property
    def size(self) -> int:
        return len(self.offset)


@dataclass(frozen=True)
class _Text:
    """The document as one string of its lines joined by line breaks, and where each starts."""

    document: Document
    text: str
    starts: list[int]
    short: list[bool]  # lines that do not reach the text's full width

    @classmethod
    def of(cls, document: Document) -> _Text:
        texts = document.texts
        starts, position = [], 0
        for text in texts:
            starts.append(position)
            position += len(text) + 1
        widths = [_width(t) for t in texts]
        filled = sorted(w for w in widths if w)
        full = filled[int(0.9 * (len(filled) - 1))] if filled else 0
        short = [0 < w < FULL_WIDTH_SHARE * full for w in widths]
        return cls(document, "\n".join(texts), starts, short)

    def line_index(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def line_text(self, index: int) -> str:
        return self.document.texts[index]

    def is_short(self, index: int) -> bool:
        return self.short[index]

    def previous_line(self, index: int) -> int | None:
        """The nearest line above that is not blank."""
        for above in range(index - 1, -1, -1):
            if self.line_text(above).strip():
                return above
        return None

    def next_line(self, index: int) -> int | None:
        for below in range(index + 1, len(self.starts)):
            if self.line_text(below).strip():
                return below
        return None


_WRAPPED_NUMBER = re.compile(r"[\d.,][ \t\u3000]*\n\s*(?=\d)")


_Found = TypeVar("_Found", Number, Period)


class _Unwrapped:
    """The text with the line breaks removed that a full-width line's wrapping put inside a
    number (`15\n531`, `3.\n14`), so numbers and periods are read whole; offsets found in it
    map back to the text."""

    def __init__(self, text: _Text):
        parts, self.cuts, self.shifts = [], [], []
        position = removed = 0
        for match in _WRAPPED_NUMBER.finditer(text.text):
            if text.is_short(text.line_index(match.start())):
                continue  # a short line ends where it ends: a table row, a heading
            start, end = match.start() + 1, match.end()
            parts.append(text.text[position:start])
            self.cuts.append(start - removed)
            removed += end - start
            self.shifts.append(removed)
            position = end
        parts.append(text.text[position:])
        self.text = "".join(parts)

    def original(self, offset: int) -> int:
        cut = bisect.bisect_right(self.cuts, offset)
        return offset + (self.shifts[cut - 1] if cut else 0)

    def span(self, found: _Found) -> _Found:
        """A number or period found in the unwrapped text, with the text's offsets."""
        return replace(
            found, start=self.original(found.start), end=self.original(found.end - 1) + 1
        )


_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)


def _width(text: str) -> int:
    """Display width: a CJK character (East Asian wide or full-width) is two columns, as the
    layout printed it."""
    text = text.strip()
    return len(text) + len(_WIDE.findall(text))


@dataclass(frozen=True)
class _Span:
    paragraph: int  # where the paragraph starts
    low: int  # the sentence
    high: int


def _sentence(text: _Text, start: int, end: int) -> _Span:
    """The sentence around text[start:end], and where its paragraph starts: back to the
    previous sentence end, short line or list item, and forward likewise. Blank lines are
    layout, not paragraph ends."""
    first = text.line_index(start)
    while not _LIST_ITEM.match(text.line_text(first)):
        above = text.previous_line(first)
        if above is None or text.is_short(above):
            break
        first = above
    last = text.line_index(end)
    while not text.is_short(last):
        below = text.next_line(last)
        if below is None or _LIST_ITEM.match(text.line_text(below)):
            break
        last = below
    low, high = text.starts[first], text.starts[last] + len(text.line_text(last))
    before = [m.end() for m in _SENTENCE_END.finditer(text.text, low, start)]
    after = _SENTENCE_END.search(text.text, end, high)
    return _Span(low, before[-1] if before else low, after.end() if after else high)


_LINE_BREAK = re.compile(r"\s*\n\s*")
_BLANKS = re.compile(r"[ \t\u3000]+")


def _readable(span: str) -> str:
    """A span as a quote: line breaks and the blanks around them dropped, runs of blanks one
    space (a quote is compared without whitespace, so this changes nothing it is checked by)."""
    return _BLANKS.sub(" ", _LINE_BREAK.sub("", span)).strip()


def _quote(text: _Text, sentence: _Span, number: Number) -> str:
    low, high = sentence.low, sentence.high
    after = _CLAUSE_END.search(text.text, number.end, high)
    end = after.start() if after else high
    clauses = [m.end() for m in _CLAUSE_END.finditer(text.text, low, number.start)]
    start = low
    for boundary in reversed(clauses):
        if len(squeeze(text.text[boundary:end])) >= QUOTE_CHARS:
            start = boundary
            break
    return _readable(text.text[start:end])


def _qualifier(text: str, number: Number) -> str:
    """The qualifier a word beside the number gives: one in the last characters of its
    clause before it (约292, 最多更高出65%), or one right after it or its unit (230多款,
    20%以上)."""
    clause = _CLAUSE_END.split(text[max(0, number.start - 12) : number.start])[-1]
    before = squeeze(clause)[-5:]
    printed = squeeze(number.printed)
    after = squeeze(text[number.start : number.end + 6])
    window = before + after
    for match in QUALIFIER_PATTERN.finditer(window):
        offset = match.start() - len(before)
        right_after = offset == len(squeeze(number.printed + number.unit)) or (
            match.group(0) in "多余" and offset == len(printed)
        )
        if match.end() <= len(before) or right_after:
            return QUALIFIER_OF[match.group(0)]
    return "="


def _sign(text: str, number: Number, sentence_start: int) -> int:
    clause = _CLAUSE_END.split(text[max(sentence_start, number.start - 12) : number.start])[-1]
    return -1 if _NEGATIVE_WORDS.search(squeeze(clause)) else 1


def _kind(text: _Text, number: Number) -> str:
    index = text.line_index(number.start)
    line = text.line_text(index)
    column = number.start - text.starts[index]
    here = squeeze(text.text[number.start : number.end + 8])
    around = text.text[max(0, number.start - 1) : number.end + 1].strip()
    if _STOCK_CODE.match(here) or _STOCK_CODE.match(around):
        return STOCK_CODE
    if number.unit:
        return FIGURE
    if _TABLE_LABEL.search(line[:column]):
        return TABLE_NUMBER
    if _SECTION.match(line) and column == len(line) - len(line.lstrip()):
        return SECTION_NUMBER
    if _ENUMERATION.search(text.text[max(0, number.start - 1) : number.end + 1]):
        return SECTION_NUMBER
    is_last = not line[column + len(number.printed) :].strip()
    whole = number.printed.isdigit() and len(number.printed) <= 4
    if whole and is_last and (line.strip() == number.printed or _SOURCE_LINE.search(line)):
        return PAGE_NUMBER
    return FIGURE


@dataclass(frozen=True)
class _Column:
    period: str
    forecast: bool


@functools.lru_cache(maxsize=4096)
def _header_line(line: str) -> tuple[tuple[_Column, ...], int]:
    """The periods a line's cells print (each with whether its cell says 预测 or 2023E), and
    how many other numbers it prints. Cached: every row of a table looks at the same lines."""
    columns = []
    for cell in _CELL.findall(line):
        found = periods(cell)
        if found:
            said = found[0].estimated or bool(_FORECAST_WORDS.search(cell))
            columns.append(_Column(found[0].period, said))
    quantities = sum(1 for n in numbers(line) if not periods(line[n.start : n.end]))
    return tuple(columns), quantities


def _header(text: _Text, index: int, cells: int) -> list[_Column] | None:
    """The periods of a table row's numeric cells, from the nearest line above, past the
    table's other rows, whose cells print periods and no other number."""
    above = text.previous_line(index)
    while above is not None:
        columns, quantities = _header_line(text.line_text(above))
        if len(columns) >= 2 and not quantities:
            # `2023支出（预测）` makes the 2023 columns forecasts, `2023增长率` included
            forecast = {c.period for c in columns if c.forecast}
            columns = [_Column(c.period, c.period in forecast) for c in columns]
            if len(columns) == cells:
                return columns
            if cells % len(columns) == 0:  # 2022 2023 over value/growth pairs
                width = cells // len(columns)
                return [c for c in columns for _ in range(width)]
            return None
        if quantities < 2:  # neither a header nor another row: not inside a table
            return None
        above = text.previous_line(above)
    return None


def _table_cells(
    text: _Text, index: int, found: list[Number], starts: list[int]
) -> dict[int, _Column]:
    """For a line that is a table row (two or more cells that are each a number and its
    unit), the column of each numeric cell, by the number's start."""
    line = text.line_text(index)
    base = text.starts[index]
    on_line = found[bisect.bisect_left(starts, base) : bisect.bisect_left(starts, base + len(line))]
    cells = [n for n in on_line if n.end <= base + len(line) + 1]
    spans = [(m.start() + base, m.end() + base) for m in _CELL.finditer(line)]
    numeric = [n for n in cells if any(s == n.start and e <= n.end for s, e in spans)]
    if len(numeric) < 2:
        return {}
    columns = _header(text, index, len(numeric))
    if columns is None:
        return {}
    return {n.start: c for n, c in zip(numeric, columns, strict=True)}


def _period_for(candidates: list[Period], number: Number, sentence: _Span) -> Period | None:
    """The period of the sentence: the nearest printed before the number, else after it,
    else the last one earlier in its paragraph; a year a change is measured from (相较2020年)
    is not one."""
    starts = [p.start for p in candidates]
    nearby = candidates[
        bisect.bisect_left(starts, sentence.paragraph) : bisect.bisect_left(starts, sentence.high)
    ]
    usable = [p for p in nearby if not p.base]
    inside = [p for p in usable if sentence.low <= p.start]
    before = [p for p in inside if p.end <= number.start]
    if before:
        return before[-1]
    after = [p for p in inside if p.start >= number.end]
    if after:
        return after[0]
    earlier = [p for p in usable if p.start < sentence.low]
    return earlier[-1] if earlier else None


def _in_any(spans: list[Period], starts: list[int], number: Number) -> bool:
    """Whether the number starts inside one of `spans` (in reading order, not overlapping,
    starting at `starts`)."""
    at = bisect.bisect_right(starts, number.start) - 1
    return at >= 0 and number.start < spans[at].end


def _without_bare_quantities(
    text: _Text, found_periods: list[Period], found: list[Number]
) -> list[Period]:
    """A year printed bare (1900, 2022) on a line that also prints quantities is one of them
    (a table row `1500 1900 2470`), not a period."""

    starts = [p.start for p in found_periods]
    quantity_lines = {
        text.line_index(n.start) for n in found if not _in_any(found_periods, starts, n)
    }
    return [p for p in found_periods if not (p.bare and text.line_index(p.start) in quantity_lines)]


def _is_forecast(period: str, said: bool, published: date | None) -> bool:
    """With the report's date: a period that starts after it is a forecast, one that ended
    before it is not (a source's 预测 of a past year is an estimate), and one that is under
    way is a forecast when the sentence says so. Without the date: what the sentence says."""
    bounds = period_bounds(period) if published else None
    if bounds is None or published is None:
        return said
    first, last = bounds
    if first > published:
        return True
    if last < published:
        return False
    return said


def extract(document: Document, published: date | None = None) -> list[Mention]:
    """Every numeric mention of `document`, in reading order. `published` is the report's
    publication date: a figure whose sentence prints no period is of that year, and it tells
    forecasts from the past (`_is_forecast`)."""
    text = _Text.of(document)
    unwrapped = _Unwrapped(text)
    found_periods = [unwrapped.span(p) for p in periods(unwrapped.text)]
    found = [unwrapped.span(n) for n in numbers(unwrapped.text)]
    found_periods = _without_bare_quantities(text, found_periods, found)
    period_starts = [p.start for p in found_periods]
    number_starts = [n.start for n in found]
    mentions: list[Mention] = []
    table_rows: dict[int, dict[int, _Column]] = {}
    default_period = str(published.year) if published else ""

    def locate(offset: int) -> tuple[int, int, int]:
        index = text.line_index(offset)
        column = offset - text.starts[index]
        squeezed = document.squeezed_offset(index, column)
        return index + 1, document.line_pages[index], squeezed

    for period in found_periods:
        line, page, offset = locate(period.start)
        mentions.append(
            Mention(
                line,
                page,
                float(period.period.lstrip("FY")[:4]),
                _readable(text.text[period.start : period.end]),
                "",
                period.period,
                period.estimated,
                "=",
                period.kind,
                _readable(text.line_text(text.line_index(period.start))),
                offset,
            )
        )
    for number in found:
        if _in_any(found_periods, period_starts, number):
            continue
        index = text.line_index(number.start)
        if index not in table_rows:
            table_rows[index] = _table_cells(text, index, found, number_starts)
        column = table_rows[index].get(number.start)
        sentence = _sentence(text, number.start, number.end)
        if column is not None:
            period, said = column.period, column.forecast
            quote = _readable(text.line_text(index))
        else:
            chosen = _period_for(found_periods, number, sentence)
            period = chosen.period if chosen else default_period
            clause_end = _CLAUSE_END.search(text.text, number.end, sentence.high)
            words = text.text[sentence.low : clause_end.start() if clause_end else sentence.high]
            said = bool(chosen and chosen.estimated) or bool(_FORECAST_WORDS.search(words))
            quote = _quote(text, sentence, number)
        line, page, offset = locate(number.start)
        mentions.append(
            Mention(
                line,
                page,
                _sign(text.text, number, sentence.low) * number.value,
                number.printed,
                number.unit,
                period,
                _is_forecast(period, said, published),
                _qualifier(text.text, number),
                _kind(text, number),
                quote,
                offset,
            )
        )
    return sorted(mentions, key=lambda m: m.offset)
