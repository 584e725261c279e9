#!/usr/bin/env python3
"""Build the bundled Simplified-Chinese fonts in static/fonts/.

Reads Debian's Noto CJK collections (package ``fonts-noto-cjk``), pulls the
SC (Simplified Chinese) face out of each .ttc, subsets it to GB2312 + the
8105-character Table of General Standard Chinese Characters (通用规范汉字表,
read from Debian's Unihan data, field kTGH) + a few curated name characters,
converts the CFF outlines to TrueType (glyf) outlines and renames the family
to "Noto Sans SC" / "Noto Serif SC".

Why: in the app's deployment WeasyPrint was measured spending ~20 s
subsetting the full ~65k-glyph .ttc collections per PDF; small single-face
TrueType files served through @font-face brought a 14-page dossier to ~3 s.
Bundling also makes PDFs independent of which system fonts are installed.

Usage (no arguments; idempotent, output is byte-for-byte reproducible for a
given fonts-noto-cjk + fontTools version):

    apt-get install fonts-noto-cjk unicode-data
    .venv/bin/python tools/make_fonts.py
"""

import bz2
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

NOTO_DIR = "/usr/share/fonts/opentype/noto"
UNIHAN = "/usr/share/unicode/Unihan_OtherMappings.txt.bz2"   # unicode-data
OUT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "static", "fonts")

# (source collection, face family name inside it, output family, style, output file)
TARGETS = [
    ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "Noto Sans SC", "Regular",
     "NotoSansSC-Regular.ttf"),
    ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", "Noto Sans SC", "Bold",
     "NotoSansSC-Bold.ttf"),
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "Noto Serif SC", "Regular",
     "NotoSerifSC-Regular.ttf"),
    ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC", "Noto Serif SC", "Bold",
     "NotoSerifSC-Bold.ttf"),
]

# Rare characters common in personal names that are in neither GB2312 nor the
# 通用规范汉字表 (mostly GBK traditional/variant forms), plus the brief's list.
# Duplicates of GB2312/kTGH characters are harmless.  Keep this list
# curated: every ideograph costs ~0.3 KB per file.
EXTRA_NAME_CHARS = (
    # from the brief
    "喆堃犇赟昇珺玥婕琰翀淼焱垚鑫懿甯祎祺蔚璟瑄琬"
    # further frequent name characters outside GB2312
    "玙琤珅珣珩琦琨琪琮瑛瑭瑢璠璘瓅玘玚玹珝珞珥琇琲瑀璿"
    "晧晞晗昕昉昀旻暐暻曦曌燚炘炜烜焜煊熠熤"
    "浛淏湉溱滢澍瀚汭沄泓洺涴淇淯渼漪"
    "骉羴鱻譞骅骐骞"
    "婍婧娴嫚姮妤媛嫣姝"
    "镕钰铖锘锜锟镠"
    "禤禛祐祜禔禧"
    "颙颢頔彧彣"
    "楠榕樾栢柘棪楦槿檀"
    "喆囍堉埕垲垚塬"
    "峣崧嵘嶷"
    "芃芊苡茜荟菁萱蓁蕤蘅"
    "赜贇䶮"
    # GBK-only variants seen in names (not in 通用规范汉字表)
    "禕暘濛淩旼暎煐炤燨湦禩瓅璿晧暐暻熤頔彣栢囍贇"
)


def gb2312_chars():
    """All characters of GB2312 (symbols rows 1-9 and hanzi rows 16-87)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def tgh_chars():
    """通用规范汉字表 (2013, 8105 chars) from Unihan's kTGH field."""
    if not os.path.exists(UNIHAN):
        raise SystemExit(f"{UNIHAN} missing: apt-get install unicode-data")
    chars = set()
    with bz2.open(UNIHAN, "rt", encoding="utf-8") as fh:
        for line in fh:
            if "\tkTGH\t" in line:
                chars.add(chr(int(line.split("\t", 1)[0][2:], 16)))
    if len(chars) != 8105:
        raise SystemExit(f"expected 8105 kTGH characters, got {len(chars)}")
    return chars


def repertoire():
    cps = set()
    cps.update(range(0x20, 0x7F))        # ASCII
    cps.update(range(0xA0, 0x100))       # Latin-1 Supplement
    cps.update(range(0x100, 0x180))      # Latin Extended-A (pinyin ā ē ī ō ū)
    cps.update(range(0x1CD, 0x1DD))      # pinyin ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ
    cps.update((0x2C7, 0x2C9, 0x2CA, 0x2CB, 0x2D9))  # tone marks
    cps.update(range(0x2000, 0x2070))    # General Punctuation
    cps.update(range(0x2100, 0x2150))    # Letterlike symbols (℃ № ™)
    cps.update(range(0x2150, 0x2190))    # Number forms (Ⅰ Ⅱ ⅰ)
    cps.update(range(0x2190, 0x2200))    # Arrows
    cps.update(range(0x2460, 0x24A0))    # ① ⑴ ⒈
    cps.update(range(0x3000, 0x3040))    # CJK Symbols and Punctuation
    cps.update(range(0x3200, 0x3260))    # ㈠ ㈱ ㊀ (partial enclosed CJK)
    cps.update(range(0xFE30, 0xFE50))    # CJK compatibility forms
    cps.update(range(0xFF00, 0xFFF0))    # Halfwidth and Fullwidth Forms
    cps.update(ord(c) for c in gb2312_chars())
    cps.update(ord(c) for c in tgh_chars())
    cps.update(ord(c) for c in EXTRA_NAME_CHARS)
    cps.add(0xFFFD)
    return cps


# Layout features worth keeping for horizontal Chinese/Latin text in
# WeasyPrint.  'locl' is deliberately excluded: in the SC face it maps to the
# JP/KR/TC/HK glyph variants and would roughly double the glyph count.
# Vertical features are dropped (WeasyPrint has no vertical writing mode).
LAYOUT_FEATURES = ["ccmp", "liga", "clig", "calt", "rlig", "kern", "mark",
                   "mkmk", "palt", "halt", "fwid", "hwid", "pwid"]


def find_face(ttc_path, family):
    coll = TTCollection(ttc_path, lazy=False)
    for font in coll.fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise SystemExit(f"{family!r} not found in {ttc_path}")


def otf_to_ttf(font, max_err=1.0):
    """Replace CFF outlines with quadratic glyf outlines (fontTools otf2ttf)."""
    assert font.sfntVersion == "OTTO" and "CFF " in font
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    quad = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        quad[name] = pen.glyph()

    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = quad
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)

    hmtx = font["hmtx"]
    for name, g in glyf.glyphs.items():
        if hasattr(g, "xMin"):
            hmtx[name] = (hmtx[name][0], g.xMin)

    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = 0
    maxp.compile(font)

    post = font["post"]
    post.formatType = 3.0          # no glyph names (CID names are useless)
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"

    # Non-hinted TrueType: ask rasterisers for smoothing at all sizes.
    gasp = newTable("gasp")
    gasp.version = 1
    gasp.gaspRange = {0xFFFF: 0x000F}
    font["gasp"] = gasp


def rename(font, family, style):
    ps_family = family.replace(" ", "")
    version = font["name"].getDebugName(5) or "Version ?"
    ver_short = version.split(";")[0].replace("Version ", "")
    name = font["name"]
    name.names = [r for r in name.names
                  if r.nameID not in (1, 2, 3, 4, 5, 6, 16, 17, 18, 21, 22)]
    full = family if style == "Regular" else f"{family} {style}"
    values = {
        1: family,
        2: style,
        3: f"{ver_short};GOOG;{ps_family}-{style};subset-gb2312-tgh",
        4: full,
        5: f"{version}; GB2312+TGH2013 subset, TrueType outlines",
        6: f"{ps_family}-{style}",
    }
    for nid, text in values.items():
        name.setName(text, nid, 3, 1, 0x409)   # Windows, English (US)
        name.setName(text, nid, 1, 0, 0)       # Mac Roman, English


def build(target):
    src, face, family, style, out_name = target
    src_path = os.path.join(NOTO_DIR, src)
    if not os.path.exists(src_path):
        return f"skip {out_name}: {src_path} missing"
    font = find_face(src_path, face)
    # keep the source head.modified so the output is reproducible
    font.recalcTimestamp = False

    opts = subset.Options()
    opts.layout_features = LAYOUT_FEATURES
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14]
    opts.name_languages = [0x409, 0]
    opts.hinting = False
    opts.desubroutinize = True
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    opts.glyph_names = False
    sub = subset.Subsetter(options=opts)
    wanted = repertoire()
    cmap = font.getBestCmap()
    sub.populate(unicodes=[u for u in wanted if u in cmap])
    sub.subset(font)

    otf_to_ttf(font)
    rename(font, family, style)

    os.makedirs(OUT_DIR, exist_ok=True)
    out_path = os.path.join(OUT_DIR, out_name)
    tmp = out_path + ".tmp"
    font.save(tmp, reorderTables=True)
    os.replace(tmp, out_path)
    # round-trip sanity check
    chk = TTFont(out_path)
    n_glyphs = len(chk.getGlyphOrder())
    n_cmap = len(chk.getBestCmap())
    return (f"{out_name}: {os.path.getsize(out_path) / 1024:.0f} KiB, "
            f"{n_cmap} code points, {n_glyphs} glyphs")


def write_license():
    """static/fonts/OFL.txt: copyright notices + OFL 1.1 text from Debian."""
    src = "/usr/share/doc/fonts-noto-cjk/copyright"
    with open(src, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    start = lines.index("License: SIL-1.1", lines.index("Files: debian/*"))
    body = []
    for line in lines[start + 1:]:
        if not line.startswith(" "):
            break
        body.append("" if line == " ." else line[1:])
    notices = []
    for target in TARGETS:
        path = os.path.join(OUT_DIR, target[4])
        if os.path.exists(path):
            name = TTFont(path, lazy=True)["name"]
            notices.append(f"{target[4]}: {name.getDebugName(0)}")
    text = ("Noto Sans SC / Noto Serif SC (subset of Noto Sans CJK / Noto Serif"
            " CJK, https://github.com/googlefonts/noto-cjk)\n\n"
            + "\n".join(notices)
            + "\nNoto is a trademark of Google Inc.\n\n"
            "These fonts are modified versions (subset, renamed, outlines\n"
            "converted to TrueType) made with tools/make_fonts.py.\n\n"
            "This Font Software is licensed under the SIL Open Font License,"
            " Version 1.1.\nThis license is copied below.\n\n"
            + "\n".join(body).rstrip() + "\n")
    with open(os.path.join(OUT_DIR, "OFL.txt"), "w", encoding="utf-8") as fh:
        fh.write(text)


def main():
    workers = min(len(TARGETS), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for line in pool.map(build, TARGETS):
            print(line)
    write_license()
    print("OFL.txt written")


if __name__ == "__main__":
    sys.exit(main())
