"""The words that qualify a printed number, and the qualifier each says: one vocabulary for
the quote check (a row's qualifier must not contradict its quote) and the extractor (a
mention's qualifier). Kept apart from both so the extractor imports no pandas."""

import re

# Longest words first: 不超过 is not 超过, 及以上 is not 以上, 将近 is not 近. A few words are
# qualifiers only beside a number: 230多款 but not 多重因素, 超40000台 but not 超大规模,
# 近300% but not 近期, 上百T but not 以上; 千亿级 is an order of magnitude; 约 is not a
# qualifier inside a word (节约, 签约).
QUALIFIER_WORDS = (
    ("不超过", "<="),
    ("超过", ">"),
    ("及以上", ">="),
    ("不少于", ">="),
    ("将近", "~"),
    ("几乎", "~"),
    ("最多", "<="),
    ("至少", ">="),
    ("以上", ">"),
    ("以下", "<"),
    ("左右", "~"),
    (r"(?<![节制签预公条邀契合])约", "~"),
    (r"近(?=\d)", "~"),
    (r"(?<=\d)多", ">"),
    (r"(?<=\d)余", ">"),
    (r"超(?=\d)", ">"),
    (r"上(?=[百千万])", ">="),
    (r"(?<=[百千万亿])级", "~"),
)
QUALIFIER_PATTERN = re.compile("|".join(f"(?:{word})" for word, _ in QUALIFIER_WORDS))
QUALIFIER_OF = {re.sub(r"\(\?<?[=!][^)]*\)", "", word): q for word, q in QUALIFIER_WORDS}
