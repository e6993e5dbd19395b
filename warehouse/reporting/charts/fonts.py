"""A CJK font for the charts' Chinese labels (the report is Chinese).

`cjk_font()` picks the first installed face and fails loudly when there is none, so a chart
never ships with tofu boxes (rendering also fails on any glyph missing from the fonts).
"""

from pathlib import Path

# Preferred first: Simplified Chinese faces, then other CJK families Debian ships.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
FONT_PACKAGE = "fonts-noto-cjk"


def cjk_font() -> str:
    """The first installed CJK font family of CJK_FONTS; raises if none is installed."""
    from matplotlib import font_manager

    def installed() -> set[str]:
        return {font.name for font in font_manager.fontManager.ttflist}

    names = installed()
    if not names & set(CJK_FONTS):
        # matplotlib caches its font list; a font installed after the cache was built is
        # only found by adding its file.
        for path in font_manager.findSystemFonts():
            if "cjk" in Path(path).name.lower():
                font_manager.fontManager.addfont(path)
        names = installed()
    for family in CJK_FONTS:
        if family in names:
            return family
    raise RuntimeError(
        f"no CJK font installed (looked for {', '.join(CJK_FONTS)}): the charts' Chinese "
        f"labels would render as boxes. Install one, e.g. `apt-get install {FONT_PACKAGE}` "
        "(`make system-deps` does it)."
    )
