"""Numbers as text for people (the query CLI's table, the report page): always positional,
never scientific notation (`3e+18`), an integral value without `.0` (`15531`, not `15531.0`),
and no float noise (`0.30000000000000004` is `0.3`). One module, so the terminal and the page
print a value the same way. No pandas: the query CLI imports it."""

import decimal
import math

# A double holds 15 significant decimal digits exactly; the digits past them are the noise of
# binary arithmetic, not data (the marts themselves keep at most 12).
SIGNIFICANT_DIGITS = 15


def number_text(
    value: float | decimal.Decimal, *, grouping: bool = False, decimals: int | None = None
) -> str:
    """`value` in positional notation: with `decimals` places when given (the precision a
    figure is printed with), else a float with its own digits up to SIGNIFICANT_DIGITS and a
    DECIMAL with the scale of its type; `grouping` adds thousands separators (1,244,746).
    NaN and infinities stay as Python writes them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    separator = "," if grouping else ""
    if decimals is not None:
        with decimal.localcontext(decimal.Context(prec=100, rounding=decimal.ROUND_HALF_UP)):
            places = decimal.Decimal(1).scaleb(-max(decimals, 0))
            return format(decimal.Decimal(str(value)).quantize(places), f"{separator}f")
    if isinstance(value, int):
        return format(value, separator or "d")
    if isinstance(value, decimal.Decimal):  # a DECIMAL column: the scale its type declares
        return format(value, f"{separator}f")
    number = decimal.Decimal(format(value, f".{SIGNIFICANT_DIGITS}g"))
    if number == number.to_integral_value():
        return format(int(number), separator or "d")
    return format(number.normalize(), f"{separator}f")
