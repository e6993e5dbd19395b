"""Which numeric mention states which curated figure: a mention inside the figure's quote
whose value is the figure's value.

Values are compared without their sign: a curated row names a direction either in its metric
(`co2_reduced` 1 for 减少约1万吨) or in its sign (`operating_margin_change` -2.40 for
下降了2.40pp), and the report prints both the same way.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from typing import NamedTuple

from warehouse.documents import squeeze
from warehouse.extraction.mentions import MentionColumns


class CuratedFigure(NamedTuple):
    """What a curated figure row says, as far as a mention can agree with it (a tuple: made
    from each of a quarter of a million rows a refresh at a thousand reports)."""

    figure_id: str
    value: float
    period: str
    qualifier: str
    is_forecast: bool
    quote: str


def same_value(mention: float, figure: float) -> bool:
    return math.isclose(abs(mention), abs(figure), rel_tol=1e-9, abs_tol=1e-12)


def match_figures(
    text: str, mentions: MentionColumns, figures: Iterable[CuratedFigure]
) -> dict[str, int]:
    """figure_id -> index in `mentions` of the mention that states it, in a document whose
    text without whitespace is `text` (`Document.squeezed_text`). A figure whose quote
    holds several mentions of its value takes the first one no other figure took (a table
    row printing 2.4 twice), and shares one only when every candidate is taken (two tables
    citing the same sentence)."""
    # the mentions in offset order (a stable sort: ties in mention order), so each quote's
    # are one slice (not a scan of them all)
    at, values = mentions.offset, mentions.value
    by_offset = sorted(range(len(at)), key=at.__getitem__)
    offsets = [at[i] for i in by_offset]
    taken: set[int] = set()
    matched: dict[str, int] = {}
    for figure in figures:
        needle = squeeze(figure.quote)
        start = text.find(needle) if needle else -1
        if start < 0:
            continue
        inside = by_offset[
            bisect.bisect_left(offsets, start) : bisect.bisect_left(offsets, start + len(needle))
        ]
        candidates = sorted(i for i in inside if same_value(values[i], figure.value))
        if not candidates:
            continue
        free = [i for i in candidates if i not in taken]
        chosen = (free or candidates)[0]
        taken.add(chosen)
        matched[figure.figure_id] = chosen
    return matched
