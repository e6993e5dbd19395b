"""Numbers as reports print them, and the unit printed after them.

Arabic digits (`1,234`, `3.14`), scientific notation (`3.14×10^11`, and `3.14×1011` where a
text layer lost the superscript), Chinese numerals (`两`, `十二`, `一千七百五十`, `千亿`).
A value is the number in the unit as printed: `1.2万台` is 1.2 with unit `万台`, as the
curated tables write `15亿` as 15 with unit `100 million`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCIENTIFIC = rf"(?P<mantissa>{_ARABIC})\s*(?:×\s*10\^?|[xX*]\s*10\^)(?P<exponent>[1-9]\d?)(?!\d)"
# Not inside a name: A100, FP16, GPT-3.5, Ai1, 5G are not quantities (see `glued_to_name`).
NUMBER = re.compile(
    rf"(?<![\d.,])(?P<sign>(?<![\w.])[-−])?(?:{_SCIENTIFIC}|(?P<arabic>{_ARABIC})|(?P<chinese>[〇一二两三四五六七八九十百千][零〇一二两三四五六七八九十百千万]*?)(?P<cmagnitude>万亿|亿|万)?(?![零〇一二两三四五六七八九十百千]))"
)
_NAME_BEFORE = re.compile(r"[A-Za-z]-?$")

MAGNITUDES = ("万亿", "千亿", "百亿", "十亿", "千万", "百万", "十万", "亿", "万", "千")
# Measure words and units a Chinese text prints after a number (longest first when matched).
MEASURE_WORDS = (
    "个百分点", "百分点", "美元", "人民币", "港元", "欧元", "日元", "元", "台", "个月", "个",
    "块", "张", "家", "座", "栋", "次", "年", "月", "日", "天", "周", "小时", "分钟", "秒钟",
    "毫秒", "秒", "倍", "名", "款", "套", "项", "种", "亩", "平方米", "平米", "万吨", "吨",
    "千瓦时", "千瓦", "瓦", "度", "辆", "人", "户", "条", "位", "层", "部", "件", "份", "篇",
    "所", "颗", "片", "架", "只", "组", "笔", "单词", "字", "架", "芯", "核", "路", "线",
    "机柜", "节点", "卡",
)  # fmt: skip
ASCII_UNITS = (
    "PFLOP/s-day", "TFLOPs/s", "TeraFLOPS", "TeraOPS", "EFLOPS", "PFLOPS", "TFLOPS", "GFLOPS",
    "TFLOPs", "FLOPS", "TFLOP", "TOPS", "GB/s", "MB/s", "Gbps", "Mbps", "kWh", "PB", "TB", "GB",
    "MB", "KB", "kW", "KW", "MW", "GW", "kV", "KV", "GHz", "MHz", "nm", "ms", "pp", "PP", "W",
    "w", "V", "h", "s", "P", "T", "%", "％", "‰",
)  # fmt: skip
_UNIT = re.compile(
    "(?P<more>[多余])?(?P<magnitude>{})?(?P<base>{}|{}(?![A-Za-z])|-[A-Za-z]+)?".format(
        "|".join(MAGNITUDES),
        "|".join(MEASURE_WORDS),
        "|".join(re.escape(u) for u in sorted(ASCII_UNITS, key=len, reverse=True)),
    )
)
_BLANK = re.compile(r"\s")
_LONGEST_UNIT = max(len(u) for u in (*MAGNITUDES, *MEASURE_WORDS, *ASCII_UNITS)) + 2
UNIT_LOOKAHEAD = 16  # characters after a number searched for its unit (blanks included)


@dataclass(frozen=True)
class Number:
    start: int  # offsets in the text scanned
    end: int  # end of the number and its unit
    value: float
    printed: str  # the number as printed, blanks removed
    unit: str
    chinese: bool


def _arabic(text: str) -> float:
    return float(_BLANK.sub("", text).replace(",", ""))


_CHINESE_DIGITS = dict(zip("〇一二三四五六七八九", range(10), strict=True)) | {"两": 2}
_CHINESE_TENS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> float | None:
    """A Chinese numeral without its trailing 万/亿 (一千七百五十, 十二, 两), or None when the
    characters are not one numeral (一一, 二三). Written here rather than read by cn2an, whose
    import alone takes longer than extracting a whole report."""
    total, section, digit = 0, 0, None
    for char in text:
        if char == "零":
            continue
        if char in _CHINESE_DIGITS:
            if digit is not None:
                return None
            digit = _CHINESE_DIGITS[char]
        elif char in _CHINESE_TENS:
            section += (1 if digit is None else digit) * _CHINESE_TENS[char]
            digit = None
        else:  # 万 inside a numeral (三万五千)
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
    return float(total + section + (digit or 0))


def unit_after(text: str, at: int) -> tuple[str, int]:
    """The unit printed at `at` (blanks and line breaks inside or before it skipped: a text
    layer breaks `亿美\\n元`), and the offset where it ends; ('', at) when there is none."""
    direct = _UNIT.match(text, at)
    end = direct.end() if direct else at
    if not _BLANK.search(text, at, end + _LONGEST_UNIT):
        # no blank where a unit could continue: the unit as matched (most numbers)
        return (direct.group(0).lstrip("-多余"), end) if direct and end > at else ("", at)
    window, offsets = [], []
    for index in range(at, min(len(text), at + UNIT_LOOKAHEAD)):
        if not _BLANK.match(text[index]):
            window.append(text[index])
            offsets.append(index)
    match = _UNIT.match("".join(window))
    if not match or not match.group(0):
        return "", at
    unit = match.group(0).lstrip("-多余")
    return unit, offsets[match.end() - 1] + 1


def glued_to_name(text: str, start: int) -> bool:
    """A number right after Latin letters (A100, GPT-3, Ai1) is part of a name."""
    return bool(_NAME_BEFORE.search(text[max(0, start - 2) : start]))


def numbers(text: str) -> list[Number]:
    """Every number in `text` with its unit. Chinese numerals count only with a unit after
    them (三套, 两座), since 一 is also a word (统一, 一期)."""
    found = []
    for match in NUMBER.finditer(text):
        start = match.start()
        if match.group("chinese"):
            if start > 0 and text[start - 1] == "第":  # 第三: an ordinal
                continue
            magnitude = match.group("cmagnitude") or ""
            if match.group("chinese") in ("百", "千") and magnitude == "万":
                continue  # 百万美元, 千万: a magnitude, not a number of them
            if match.group("chinese") == "一" and not magnitude:
                continue  # 一个, 一种, 一次: the indefinite article, not a count
            unit, end = unit_after(text, match.end())
            value = chinese_number(match.group("chinese"))
            if value is None or not (magnitude or unit) or unit in MAGNITUDES:
                continue
            printed = match.group("chinese")
            found.append(Number(start, end, value, printed, magnitude + unit, True))
            continue
        if glued_to_name(text, start):
            continue
        sign = -1 if match.group("sign") else 1
        if match.group("mantissa"):
            value = sign * _arabic(match.group("mantissa")) * 10 ** int(match.group("exponent"))
        else:
            value = sign * _arabic(match.group("arabic"))
        unit, end = unit_after(text, match.end())
        printed = _BLANK.sub("", match.group(0))
        found.append(Number(start, end, value, printed, unit, False))
    return found
