"""The audit's rounding rule as properties: a printed figure stands for every number that
rounds to it, interval arithmetic keeps every possible result inside, and agreement is
symmetric overlap. Hand-worked cases pin the edges."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warehouse.intervals import ABOUT_SLACK, Interval, agree

DECIMALS = st.integers(min_value=-3, max_value=4)
MANTISSAS = st.integers(min_value=-(10**7), max_value=10**7)
FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def intervals(draw, positive: bool = False) -> Interval:
    low = FINITE if not positive else st.floats(min_value=1e-3, max_value=1e6)
    lo = draw(low)
    width = draw(st.floats(min_value=0, max_value=1e3))
    return Interval(lo, lo + width)


@st.composite
def inside(draw, interval: Interval) -> float:
    return draw(st.floats(min_value=interval.lo, max_value=interval.hi))


def _tolerance(value: float) -> float:
    """Float rounding of the interval's ends (value ± half a unit), far below any digit."""
    return 1e-9 * max(1.0, abs(value))


@given(MANTISSAS, DECIMALS, st.fractions(min_value=-1, max_value=1))
def test_a_printed_value_stands_for_what_rounds_to_it_and_nothing_else(mantissa, decimals, shift):
    """`mantissa` × 10^-decimals as printed; a number `shift` units of its last digit away
    rounds to it when |shift| ≤ ½ (ties either way) and lies in its interval exactly then."""
    unit = Decimal(10) ** -decimals
    value = float(mantissa * unit)
    number = float((mantissa + Decimal(shift.numerator) / shift.denominator) * unit)
    interval = Interval.stated(value, decimals)
    slack = _tolerance(value)
    if abs(shift) <= Fraction(1, 2):
        assert interval.lo - slack <= number <= interval.hi + slack
    elif abs(shift) > Fraction(1, 2) + Fraction(1, 1000):
        assert not interval.lo - slack <= number <= interval.hi + slack


def test_printed_intervals_by_hand():
    assert Interval.stated(916, 0) == Interval(915.5, 916.5)
    assert Interval.stated(42.7, 1) == Interval(42.7 - 0.05, 42.7 + 0.05)
    assert Interval.stated(3.14e11, -9) == Interval(3.14e11 - 5e8, 3.14e11 + 5e8)
    # no printed decimals known: a whole number
    assert Interval.stated(7, None) == Interval(6.5, 7.5)


def test_about_adds_one_percent_or_keeps_the_printed_rounding():
    # 约368: ±1 % of 368 = ±3.68, wider than ±0.5
    assert ABOUT_SLACK == 0.01
    about = Interval.stated(368, 0, "~")
    assert (about.lo, about.hi) == pytest.approx((364.32, 371.68))
    # 约2: 1 % is 0.02, the printed rounding (±0.5) is wider and stays
    assert Interval.stated(2, 0, "~") == Interval(1.5, 2.5)
    # a negative value keeps a positive slack
    negative = Interval.stated(-200, 0, "~")
    assert (negative.lo, negative.hi) == pytest.approx((-202, -198))
    # qualifiers other than 约 add nothing
    assert Interval.stated(368, 0, "=") == Interval(367.5, 368.5)


def test_global_hpc_growth_holds_only_because_368_is_about():
    # 7.3 % printed; 397 ÷ 368 − 1 = 7.88 %
    growth = Interval.stated(7.3, 1)
    exact = (Interval.stated(397, 0) / Interval.stated(368, 0) - 1) * 100
    about = (Interval.stated(397, 0) / Interval.stated(368, 0, "~") - 1) * 100
    assert not agree(growth, exact)
    assert agree(growth, about)


@given(intervals(), intervals())
def test_agreement_is_symmetric(a, b):
    assert agree(a, b) == agree(b, a)


@given(intervals(), intervals())
def test_agreement_is_overlap(a, b):
    overlap = max(a.lo, b.lo) <= min(a.hi, b.hi)
    assert agree(a, b) == overlap


def test_touching_intervals_agree_and_separated_ones_do_not():
    assert agree(Interval(1, 2), Interval(2, 3))
    assert agree(Interval(2, 3), Interval(1, 2))
    assert not agree(Interval(1, 2), Interval(2.001, 3))
    assert not agree(Interval(2.001, 3), Interval(1, 2))
    assert agree(Interval(0, 10), Interval(4, 5))  # one inside the other


@given(intervals(), intervals(), st.data())
def test_arithmetic_contains_every_possible_result(a, b, data):
    x, y = data.draw(inside(a)), data.draw(inside(b))
    for result, value in ((a + b, x + y), (a - b, x - y), (a * b, x * y)):
        assert result.lo <= value <= result.hi
    if not b.lo <= 0 <= b.hi:
        quotient = a / b
        assert quotient.lo <= x / y <= quotient.hi


@given(intervals(), FINITE, st.data())
def test_plain_numbers_act_as_exact_intervals(a, number, data):
    x = data.draw(inside(a))
    for result, value in (
        (a + number, x + number),
        (number + a, number + x),
        (a - number, x - number),
        (number - a, number - x),
        (a * number, x * number),
        (number * a, number * x),
    ):
        assert result.lo <= value <= result.hi
    if not a.lo <= 0 <= a.hi:
        assert (number / a).lo <= number / x <= (number / a).hi
    if number != 0:
        assert (a / number).lo <= x / number <= (a / number).hi


def test_arithmetic_by_hand():
    a, b = Interval(1, 2), Interval(10, 20)
    assert a + b == Interval(11, 22)
    assert a - b == Interval(-19, -8)
    assert b - a == Interval(8, 19)
    assert a * b == Interval(10, 40)
    assert Interval(-1, 2) * Interval(-3, 4) == Interval(-6, 8)
    assert b / a == Interval(5, 20)
    assert 1 - a == Interval(-1, 0)
    assert 10 / b == Interval(0.5, 1)
    assert 3 + a == Interval(4, 5)
    assert 3 * a == Interval(3, 6)
    assert a - 1 == Interval(0, 1)
    assert a / 2 == Interval(0.5, 1)
    assert Interval(4, 9) ** 0.5 == Interval(2, 3)
    assert Interval.exact(2.5) == Interval(2.5, 2.5)


@pytest.mark.parametrize("divisor", [Interval(-1, 1), Interval(0, 1), Interval(-1, 0), 0])
def test_dividing_by_an_interval_that_holds_zero_is_unbounded(divisor):
    assert Interval(1, 2) / divisor == Interval(-math.inf, math.inf)


def test_midpoint_and_half_width():
    interval = Interval(915.5, 916.5)
    assert (interval.mid, interval.half_width) == (916, 0.5)
    assert Interval(-3, 1).mid == -1
    assert Interval(-3, 1).half_width == 2
