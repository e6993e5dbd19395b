"""Synthetic report sets for the scale benchmark, generated from the real sources.

`write_reports(target, n)` writes a complete sources folder into `target` (never into the
project's `sources/`): the reference files and `tables.yaml` copied as they are, and `n`
reports `synthetic_0001 … synthetic_<n>`, each a copy of every file of the real report with
publication dates one week apart (so `figure_vintages` gets `n` vintages per figure series).

Values are perturbed so the reports are not byte-identical, and so that every blocking rule of
`tables.yaml` still holds: a figure is scaled only if its metric is *free*, i.e.

- named by no rule and no cross-check of its table (totals, growth rates, formulas such as
  the GPU model's steps keep their exact printed values), and
- not a rate, share or rank (`percent`, `percentage points`, `rank`, `multiple` units): those
  relate other figures or carry bounds like ≤ 100.

A free metric is scaled by one factor per (report, table, metric) in [0.9, 1.1] and rounded
to the decimals it was printed with, so its whole series moves together (growth and CAGRs
between its periods keep their ratio up to rounding) and its printed precision, and hence the
rounding rule of the audit, is unchanged. A scaled figure's quote states the new value, and
each report's document is the real one with those quotes added at its end, so every quote
is still found and checked. Deterministic: the same `n` gives the same files.
"""

import csv
import hashlib
import io
import random
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import yaml

from warehouse.quotes import printed_forms
from warehouse.registry import Registry
from warehouse.rules import rule_metrics

REAL_REPORT = "swsc_cloud_2023"
FIRST_PUBLICATION = date(2023, 3, 10)
DAYS_BETWEEN_REPORTS = 7
FIXED_UNITS = frozenset({"percent", "percentage points", "rank", "multiple"})
PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.(\d+))?$")


def report_id(index: int) -> str:
    return f"synthetic_{index:04d}"


def _ruled_metrics(registry: Registry) -> dict[str, set[str]]:
    """Per table, the metrics some rule or cross-check relates to other figures."""
    ruled: dict[str, set[str]] = {name: set() for name in registry.tables}
    for name, spec in registry.tables.items():
        for rule in spec.rules:
            ruled[name] |= rule_metrics(rule.params)
    for check in registry.cross_checks:
        for where in [check["stated"], *check["inputs"].values()]:
            ruled[where["table_name"]].add(where["metric"])
    return ruled


def _scaled(text: str, factor: float) -> str:
    match = PLAIN_NUMBER.match(text)
    if not match:  # 3.14e11, 1,234: written with care, kept as written
        return text
    decimals = len(match.group(1) or "")
    return f"{float(text) * factor:.{decimals}f}"


def _perturbed_csv(
    text: str, free: set[str], rng: random.Random, new_quotes: list[str]
) -> tuple[str, int]:
    """The file with its free metrics scaled (and their quotes saying so, collected in
    `new_quotes`), and its number of figures."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    if "metric" not in header:  # records tables have no figures
        return text, 0
    metric, value, unit, quote = (header.index(c) for c in ("metric", "value", "unit", "quote"))
    factors: dict[str, float] = {}
    for row in rows[1:]:
        arabic = printed_forms(row[value])[0]  # a value printed in words (千亿) stays as it is
        if row[metric] in free and row[unit] not in FIXED_UNITS and re.search(arabic, row[quote]):
            factor = factors.setdefault(row[metric], rng.uniform(0.9, 1.1))
            scaled = _scaled(row[value], factor)
            if scaled != row[value]:
                row[quote] = re.sub(arabic, scaled, row[quote], count=1)
                new_quotes.append(row[quote])
            row[value] = scaled
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), len(rows) - 1


def write_reports(target: Path, n: int, real_sources: Path) -> int:
    """Write a sources folder of `n` synthetic reports into `target`; return the number of
    figure rows written (what `marts.fct_report_figures` will hold)."""
    registry = Registry.load(real_sources)
    target.mkdir(parents=True, exist_ok=True)
    for path in real_sources.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)
    real = yaml.safe_load((real_sources / "reports.yaml").read_text(encoding="utf-8"))
    template = next(r for r in real["reports"] if r["report_id"] == REAL_REPORT)
    reports = []
    ruled = _ruled_metrics(registry)
    files = {spec.file_name: spec for spec in registry.tables.values() if spec.per_report}
    originals = {
        name: (real_sources / REAL_REPORT / name).read_text(encoding="utf-8")
        for name in files
        if (real_sources / REAL_REPORT / name).exists()
    }
    document_text = (real_sources / REAL_REPORT / template["document"]).read_text(encoding="utf-8")
    figures = 0
    for index in range(1, n + 1):
        rid = report_id(index)
        reports.append(
            {
                **template,
                "report_id": rid,
                "title": f"{template['title']} (synthetic copy {index})",
                "publication_date": FIRST_PUBLICATION
                + timedelta(days=DAYS_BETWEEN_REPORTS * (index - 1)),
            }
        )
        folder = target / rid
        folder.mkdir(exist_ok=True)
        rng = random.Random(index)
        new_quotes: list[str] = []
        for name, text in originals.items():
            spec = files[name]
            free = set(spec.metrics) - ruled[spec.name]
            text, count = _perturbed_csv(text, free, rng, new_quotes)
            (folder / name).write_text(text, encoding="utf-8")
            figures += count
        # the real document, with the sentences of the scaled figures restated at its end
        document = (document_text + "\n" + "\n".join(new_quotes) + "\n").encode("utf-8")
        (folder / template["document"]).write_bytes(document)
        reports[-1]["document_sha256"] = hashlib.sha256(document).hexdigest()
    with (target / "reports.yaml").open("w", encoding="utf-8") as handle:
        yaml.safe_dump({"reports": reports}, handle, allow_unicode=True, sort_keys=False)
    return figures
