"""Chinese type for dossiers: the bundled Noto SC subsets, and a check for characters they lack.

The bundled fonts (static/fonts/, see README there) cover GB2312, the 通用规范汉字表 and rare name
characters. Anything else (traditional forms such as 蘭, other GBK characters) is drawn by the system
font "Noto Sans CJK SC" through fontconfig when fonts-noto-cjk is installed. `check_text()` tells which
characters of a dossier need that fallback and which would come out as empty boxes.
"""
import logging
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

from trainee.config import ROOT

log = logging.getLogger(__name__)

FONT_DIR = ROOT / "static" / "fonts"
BUNDLED = "NotoSansSC-Regular.ttf"  # all four bundled files have the same repertoire
FALLBACK_FAMILY = "Noto Sans CJK SC"


@lru_cache(maxsize=1)
def bundled_codepoints() -> frozenset[int]:
    """Code points of the bundled subset (the cmap is read once per process)."""
    from fontTools.ttLib import TTFont

    font = TTFont(FONT_DIR / BUNDLED, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _fallback_file() -> str | None:
    """The file fontconfig uses for the fallback family, or None when that family is not installed."""
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", FALLBACK_FAMILY],  # noqa: S603,S607
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, path = out.partition("\n")
    return path.strip() if FALLBACK_FAMILY in families.split(",") and path.strip() else None


@lru_cache(maxsize=1)
def fallback_codepoints() -> frozenset[int]:
    """Code points of the system fallback font; empty when it is not installed."""
    path = _fallback_file()
    if path is None:
        log.warning("系统后备字体 %s 未安装（apt-get install fonts-noto-cjk）：内置字体以外的字将无法显示。",
                    FALLBACK_FAMILY)
        return frozenset()
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith((".ttc", ".otc")):
        collection = TTCollection(path, lazy=True)
        font = next((f for f in collection.fonts if FALLBACK_FAMILY in {
            n.toUnicode() for n in f["name"].names if n.nameID in (1, 16)}), collection.fonts[0])
    else:
        font = TTFont(path, lazy=True)
    return frozenset(font.getBestCmap())


@dataclass
class GlyphReport:
    """Characters of a text outside the bundled fonts: drawn by the fallback, or not at all."""

    via_fallback: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing

    def summary(self) -> str:
        parts = []
        if self.via_fallback:
            parts.append(f"系统字体补字：{''.join(self.via_fallback)}")
        if self.missing:
            parts.append(f"缺字（将显示为空框）：{''.join(self.missing)}")
        return "；".join(parts)


def check_text(text: str) -> GlyphReport:
    """Which characters of `text` the bundled fonts lack, and whether the system fallback has them."""
    bundled = bundled_codepoints()
    outside = sorted({ch for ch in text if ord(ch) > 0x7E and not ch.isspace() and ord(ch) not in bundled})
    report = GlyphReport()
    if not outside:
        return report
    fallback = fallback_codepoints()
    for ch in outside:
        (report.via_fallback if ord(ch) in fallback else report.missing).append(ch)
    if report.missing:
        log.warning("成长档案缺字：%s", "".join(report.missing))
    return report
