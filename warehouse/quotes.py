"""Every figure row quotes its report: the check that a quote is in the report's document and
says what the row says, and where in the document it starts.

A quote is compared with the document after one normalisation only: whitespace (spaces, line
breaks) is ignored, since a text layer breaks lines wherever its layout did. Everything else
must match character for character. A quote then has to

- contain the value as printed (its digits as written in `value`, also with thousands
  separators, as a Chinese numeral, or `3.14×10^11` for `3.14e11`; the sign may be in words,
  下降 0.2%, so it is not compared),
- not contradict the row's qualifier (约 says `~`, 超过 `>` …, see warehouse/qualifiers.py; a row
  without such a word is `=`; only the words about the row's value count, see
  `qualifier_words`), and
- name the row's entity: its `entity_zh`, or one of the names the table declares for it under
  `aliases:` in tables.yaml (a table's row label, 我国 for 中国).

A records table that declares `quote_contains:` (the dated events of `report_events`, which
state no value) has its quotes checked the same way: found in the document, and holding each
of those columns' cells as printed (the event's name, its date as printed).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from warehouse.documents import Anchor, QuoteIndex, squeeze
from warehouse.figures import rows_of
from warehouse.problems import Problem
from warehouse.qualifiers import QUALIFIER_OF, QUALIFIER_PATTERN

_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?$")  # others: the schema's
_CLAUSES = re.compile(r"[，。；！？,;!?]")
_DIGIT = re.compile(r"\d")
_SCIENTIFIC = re.compile(r"^(\d+(?:\.\d+)?)[eE]\+?(\d+)$")
_NOT_A_DIGIT_BEFORE, _NOT_A_DIGIT_AFTER = r"(?<![\d.])", r"(?![\d]|\.\d)"


def _fold(text: str) -> str:
    """Text squeezed and NFKC-folded: how names are compared with a quote, so a name typed
    with ASCII brackets matches the document's full-width ones ((保定) and （保定）)."""
    return unicodedata.normalize("NFKC", squeeze(text))


# entity names and aliases recur on every row of their entity: fold each once
_fold_name = functools.lru_cache(maxsize=8192)(_fold)


def qualifier_words(quote: str, value: str, names: tuple[str, ...] = ()) -> dict[str, str]:
    """The qualifier words that speak about `value` in a quote, each with its qualifier.

    A quote may hold several figures ("同比增长80.4%，占总体公有云市场比例将近75%"): a word
    speaks about the value when it is in a clause (split at ，。；！？) that holds the value or
    holds no other number. The entity's names are left out first, so a label like 2-4名 does
    not count as a number."""
    return _words_in(_fold(quote), value, tuple(_fold_name(name) for name in names))


def _words_in(quote: str, value: str, names: tuple[str, ...]) -> dict[str, str]:
    """`qualifier_words` of a quote and names already folded."""
    for name in names:
        quote = quote.replace(name, "")
    # the form the quote prints the value in (Arabic digits before a Chinese numeral, which
    # as 一 also occurs in words like 一期)
    form = next((f for f in _forms(value) if f.search(quote)), None)
    words = {}
    for clause in _CLAUSES.split(quote):
        if (form and form.search(clause)) or not _DIGIT.search(clause):
            words |= {word: QUALIFIER_OF[word] for word in QUALIFIER_PATTERN.findall(clause)}
    return words


class _Printed(NamedTuple):
    """One way a value may be printed, as literal spellings; `bounded` ones are digits that
    must not touch other digits (3 is not in 2023 or 3.5). Plain substring searches, unlike
    a compiled pattern per value, cost nothing to prepare: a thousand reports print over
    12,000 distinct values, and compiling their patterns took ~1.2 s."""

    spellings: tuple[str, ...]
    bounded: bool

    def search(self, text: str) -> bool:
        # plain loops: a generator here cost more than the searches themselves
        for spelling in self.spellings:
            at = text.find(spelling)
            while at >= 0:
                if not self.bounded or _alone(text, at, len(spelling)):
                    return True
                at = text.find(spelling, at + 1)
        return False

    def pattern(self) -> str:
        either = "|".join(map(re.escape, self.spellings))
        return rf"{_NOT_A_DIGIT_BEFORE}(?:{either}){_NOT_A_DIGIT_AFTER}" if self.bounded else either


def _alone(text: str, at: int, length: int) -> bool:
    """The digits at `at` are a whole number: no digit or point before them, no digit or
    point-and-digit after them (what `_NOT_A_DIGIT_BEFORE` and `_NOT_A_DIGIT_AFTER` say)."""
    before, after = text[at - 1 : at], text[at + length : at + length + 2]
    touches_before = before.isdecimal() or before == "."
    touches_after = after[:1].isdecimal() or (after[:1] == "." and after[1:].isdecimal())
    return not (touches_before or touches_after)


Form = _Printed | re.Pattern[str]  # anything with .search(text), truthy when found


@functools.lru_cache(maxsize=65536)
def _forms(value: str) -> tuple[Form, ...]:
    """The ways `value` (as written in the row) may be printed, Arabic digits first; made once
    per value, since every row searches its quote for its value twice (the quote, then the
    clause that holds it)."""
    if not _NUMBER.match(value):  # not a number: the schema says so
        return (_Printed((value,), bounded=False),)
    digits = value.lstrip("+-").replace(",", "")
    scientific = _SCIENTIFIC.match(digits)
    if scientific:
        mantissa, exponent = scientific.groups()
        return (
            re.compile(rf"{re.escape(mantissa)}\s*[×xX*]\s*10\^?{exponent}{_NOT_A_DIGIT_AFTER}"),
        )
    arabic = [digits]
    whole, _, decimals = digits.partition(".")
    if len(whole) > 3:
        arabic.append(f"{int(whole):,}" + (f".{decimals}" if decimals else ""))
    words = []
    if digits.isdigit() and int(digits) < 10**8:
        import cn2an  # imported on first use: only a quote check needs it

        chinese = cn2an.an2cn(digits)
        words.append(chinese)
        if chinese.startswith("一") and len(chinese) == 2:
            words.append(chinese[1:])  # 十亿, 百T, 千亿: 一 is not printed before a unit
        if digits == "2":
            words.append("两")  # 两座, 两倍
        if digits == "50":
            words.append("半")  # 一半, 减半
    return (
        _Printed(tuple(arabic), bounded=True),
        *(_Printed((word,), bounded=False) for word in words),
    )


def printed_forms(value: str) -> list[str]:
    """The ways `value` may be printed, as regular expressions, for a caller that rewrites
    the value in a quote."""
    return [
        form.pattern if isinstance(form, re.Pattern) else form.pattern() for form in _forms(value)
    ]


def contains_value(quote: str, value: str) -> bool:
    return any(form.search(quote) for form in _forms(value))


class QuoteRow(NamedTuple):
    """The cells of one figure row that its quote must agree with (a tuple: one per row)."""

    quote: str
    value: str
    qualifier: str
    entity_zh: str
    aliases: tuple[str, ...] = ()


Finding = tuple[str | None, str | None]  # (column, what is wrong), or (None, None)


def anchor_problem(quote: str, document: QuoteIndex, anchor: Anchor | None) -> Finding:
    """A quote that is empty or not in the document (`anchor`, where `document.find` found it):
    what every quoted row is checked for first."""
    if not quote:
        return "quote", "must not be empty: quote the span of the report that states it"
    if anchor is None:
        return "quote", (
            f"not found in {document.file} (searched for {squeeze(quote)!r}: the quote "
            "with whitespace and line breaks removed, every other character as written)"
        )
    return None, None


def quote_problem(row: QuoteRow) -> Finding:
    """(column, what is wrong) for a figure row whose quote, found in the document, does not
    say what the row says, else (None, None)."""
    if not contains_value(row.quote, row.value):
        return "value", (
            f"the quote does not contain the value as printed (searched the quote for "
            f"{row.value.lstrip('+-')!r}, with thousands separators or as a Chinese numeral)"
        )
    names = (row.entity_zh, *row.aliases)
    quote, folded = _fold(row.quote), tuple(_fold_name(name) for name in names)
    words = _words_in(quote, row.value, folded)
    stated = set(words.values())
    if (stated and row.qualifier not in stated) or (not stated and row.qualifier != "="):
        said = ", ".join(f"{w} → {q}" for w, q in words.items()) or "no qualifier word (→ =)"
        return "value_qualifier", f"contradicts the quote, which says {said}"
    if not any(name in quote for name in folded):
        return "entity_zh", (
            f"neither the entity's name nor an alias of it is in the quote (searched for "
            f"{' | '.join(names)}; declare how the report names it under aliases: in tables.yaml)"
        )
    return None, None


class RowCheck(NamedTuple):
    """What a row whose quote is in its document is checked for, and the cells it reads."""

    columns: tuple[str, ...]
    check: Callable[[dict[str, Any]], Finding]


def figure_check(aliases: dict[str, tuple[str, ...]]) -> RowCheck:
    """The check of a figure row: `quote_problem`, with the table's aliases of its entity."""

    def check(row: dict[str, Any]) -> Finding:
        checked = QuoteRow(
            row["quote"] or "",
            row["value"] or "",
            row["value_qualifier"] or "",
            row["entity_zh"] or "",
            aliases.get(row["entity"], ()),
        )
        return quote_problem(checked)

    return RowCheck(("value", "value_qualifier", "entity_zh", "entity"), check)


def record_check(contains: tuple[str, ...]) -> RowCheck:
    """The check of a record that states no value (a dated event): its quote holds each cell
    of `contains` as printed (compared as names are)."""

    def check(row: dict[str, Any]) -> Finding:
        quote = row["quote"] or ""
        for name in contains:
            cell = row[name] or ""
            if _fold(cell) not in _fold(quote):
                return name, f"is not in the quote as printed (searched the quote for {cell!r})"
        return None, None

    return RowCheck(contains, check)


@dataclass(frozen=True)
class QuoteCheck:
    """The quote problems of a table's rows, and where each quote starts (None if not found)."""

    problems: list[Problem]
    pages: list[int | None]
    lines: list[int | None]


def check_quotes(
    frame: pd.DataFrame, documents: dict[str, QuoteIndex], row_check: RowCheck
) -> QuoteCheck:
    """Check every row's quote against its report's document (cells as read, before typing).
    Whether a report must have a document is the report registry's to say (tables.yaml)."""
    problems: list[Problem] = []
    pages: list[int | None] = []
    lines: list[int | None] = []
    # only the cells the checks read: a dict of every column per row cost more
    read = ["report_id", "quote", "source_file", "source_line", *row_check.columns]
    check = row_check.check
    for row in rows_of(frame, list(dict.fromkeys(read))):
        document = documents.get(row["report_id"])
        anchor = None
        if document is not None:  # a report without a document has nothing to quote
            quote = row["quote"] or ""
            anchor = document.find(quote) if quote else None
            column, problem = anchor_problem(quote, document, anchor)
            if column is None:
                column, problem = check(row)
            if column and problem:
                problems.append(
                    Problem(row["source_file"], row["source_line"], column, row[column], problem)
                )
        pages.append(anchor.page if anchor else None)
        lines.append(anchor.line if anchor else None)
    return QuoteCheck(problems, pages, lines)
