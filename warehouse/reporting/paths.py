"""Where the files for people go: beside the warehouse file, so a test's private warehouse
gets its own charts and page."""

from pathlib import Path

CHARTS_DIR = "charts"
REPORT_FILE = "report.html"


def charts_dir(warehouse_file: Path) -> Path:
    return warehouse_file.parent / CHARTS_DIR


def report_path(warehouse_file: Path) -> Path:
    return warehouse_file.parent / REPORT_FILE
