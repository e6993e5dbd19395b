"""Interval arithmetic over stated figures, the audit's rounding rule.

A figure printed as 916 stands for anything in [915.5, 916.5]; one printed as 42.7 for
[42.65, 42.75]. Recomputing a relation from such figures gives an interval too. A stated
value agrees with a recomputed one when their intervals overlap, i.e. when
|stated − recomputed| ≤ tolerance, with tolerance = half-width(stated) + half-width(recomputed).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

# "about" (约/近) claims no printed precision; we allow this relative slack around the value.
ABOUT_SLACK = 0.01


@dataclass(frozen=True, slots=True)
class Interval:
    lo: float
    hi: float

    @classmethod
    def exact(cls, value: float) -> Interval:
        return cls(value, value)

    @classmethod
    def stated(cls, value: float, decimals: int | None, qualifier: str = "=") -> Interval:
        """The values a printed figure can stand for, given its printed decimals."""
        half = 0.5 * 10.0 ** -(decimals or 0)
        if qualifier == "~":
            half = max(half, abs(value) * ABOUT_SLACK)
        return cls(value - half, value + half)

    @property
    def mid(self) -> float:
        return (self.lo + self.hi) / 2

    @property
    def half_width(self) -> float:
        return (self.hi - self.lo) / 2

    def _combine(self, other: Interval | float, op: Callable[[float, float], float]) -> Interval:
        other = other if isinstance(other, Interval) else Interval.exact(float(other))
        lo, hi, other_lo, other_hi = self.lo, self.hi, other.lo, other.hi
        corners = (op(lo, other_lo), op(lo, other_hi), op(hi, other_lo), op(hi, other_hi))
        return Interval(min(corners), max(corners))

    def __add__(self, other: Interval | float) -> Interval:
        return self._combine(other, operator.add)

    def __sub__(self, other: Interval | float) -> Interval:
        return self._combine(other, operator.sub)

    def __mul__(self, other: Interval | float) -> Interval:
        return self._combine(other, operator.mul)

    def __truediv__(self, other: Interval | float) -> Interval:
        other = other if isinstance(other, Interval) else Interval.exact(float(other))
        if other.lo <= 0 <= other.hi:
            return Interval(-math.inf, math.inf)
        return self._combine(other, operator.truediv)

    def __radd__(self, other: float) -> Interval:
        return self + other

    def __rmul__(self, other: float) -> Interval:
        return self * other

    def __rsub__(self, other: float) -> Interval:
        return Interval.exact(float(other)) - self

    def __rtruediv__(self, other: float) -> Interval:
        return Interval.exact(float(other)) / self

    def __pow__(self, exponent: float) -> Interval:
        return Interval(self.lo**exponent, self.hi**exponent)


def agree(stated: Interval, recomputed: Interval) -> bool:
    return stated.lo <= recomputed.hi and recomputed.lo <= stated.hi
