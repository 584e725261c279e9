"""Server-rendered inline SVG charts (no JavaScript, no external library)."""
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from trainee.core.dimensions import Dimension
from trainee.points.ledger import fmt

COLOURS = {"D1": "#2f6fae", "D2": "#1a7f37", "D3": "#b26b00", "D4": "#7b3fa0"}


def _nice_step(rough: Decimal) -> Decimal:
    """The smallest of 1, 2, 5, 10, 20, 50… not below `rough` (grid lines at round numbers)."""
    magnitude = Decimal(1)
    while True:
        for factor in (1, 2, 5):
            if magnitude * factor >= rough:
                return magnitude * factor
        magnitude *= 10


def quarter_chart(by_quarter: list[dict], medians: list | None = None, width=560, height=240) -> dict:
    """Stacked bars per quarter (positive dimensions up, deductions down) and an optional cohort-median tick."""
    left, right, top, bottom = 44, 12, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    highs = [sum((max(q[d.name], Decimal(0)) for d in Dimension), Decimal(0)) for q in by_quarter]
    lows = [sum((min(q[d.name], Decimal(0)) for d in Dimension), Decimal(0)) for q in by_quarter]
    peak = max(highs + [Decimal(m) for m in (medians or []) if m is not None] + [Decimal(4)])
    trough = min(lows + [Decimal(0)])
    step = _nice_step((peak - trough) / 4)
    top_value = step * (peak / step).to_integral_value(rounding=ROUND_CEILING)
    bottom_value = step * (trough / step).to_integral_value(rounding=ROUND_FLOOR)
    span = top_value - bottom_value

    def y(value) -> float:
        return round(top + float((top_value - Decimal(value)) / span) * plot_h, 1)

    slot = plot_w / len(by_quarter)
    bar_w = round(slot * 0.5, 1)
    bars, labels, ticks = [], [], []
    for index, quarter in enumerate(by_quarter):
        x = round(left + slot * index + (slot - bar_w) / 2, 1)
        up, down = Decimal(0), Decimal(0)
        for dim in Dimension:
            value = quarter[dim.name]
            if value > 0:
                bars.append({"x": x, "y": y(up + value), "w": bar_w, "h": round(y(up) - y(up + value), 1),
                             "fill": COLOURS[dim.name], "title": f"Q{quarter['quarter']} {dim.name} {dim.label} {fmt(value)}"})
                up += value
            elif value < 0:
                bars.append({"x": x, "y": y(down), "w": bar_w, "h": round(y(down + value) - y(down), 1),
                             "fill": "#a4161a", "title": f"Q{quarter['quarter']} {dim.name} {dim.label} {fmt(value)}"})
                down += value
        labels.append({"x": round(x + bar_w / 2, 1), "y": height - 10, "text": f"Q{quarter['quarter']}",
                       "total": fmt(quarter["total"]), "ty": y(max(up, Decimal(0))) - 4})
        if medians and medians[index] is not None:
            ticks.append({"x1": x - 6, "x2": x + bar_w + 6, "y": y(medians[index]), "value": fmt(medians[index])})
    grid, value = [], bottom_value
    while value <= top_value:
        grid.append({"y": y(value), "label": fmt(value)})
        value += step
    return {"width": width, "height": height, "left": left, "right": width - right, "bars": bars, "labels": labels,
            "ticks": ticks, "grid": grid, "zero": y(0), "colours": COLOURS}
