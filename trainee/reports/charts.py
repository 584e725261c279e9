"""Formatting for the server-rendered charts (templates/reports/_charts.html)."""
import unicodedata

LABEL_WIDTH = 124  # pixels left of the bars, at the charts' 13 px font


def fit_label(text, width: int = LABEL_WIDTH) -> str:
    """`text` cut with … to fit `width` pixels (a full-width character about 13 px, any other about 7): an English
    label would otherwise run off the chart's left edge. The bar's <title> keeps the whole label."""
    text, used = str(text), 0
    for index, char in enumerate(text):
        used += 13 if unicodedata.east_asian_width(char) in ("W", "F") else 7
        if used > width:
            return text[:index].rstrip() + "…"
    return text
