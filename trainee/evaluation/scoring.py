"""Pure scoring rules of the annual evaluation: percentiles, composite, quota and the grade proposal.

Percentile (the quantitative score): the mid-rank percent rank within the cohort,
    100 × (number below + (number equal − 1) / 2) / (cohort size − 1),
so the lowest scores 0, the highest 100, ties share one value, and a cohort of one scores 100
(no one to compare with: not penalised). An empty cohort has no percentiles.
"""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")


def percentiles(values: dict) -> dict:
    """{key: points} → {key: percentile 0–100 (Decimal, 2 places)}."""
    n = len(values)
    if n == 0:
        return {}
    if n == 1:
        return {key: Decimal(100).quantize(TWO) for key in values}
    ordered = sorted(Decimal(v) for v in values.values())
    result = {}
    for key, value in values.items():
        value = Decimal(value)
        below = sum(1 for v in ordered if v < value)
        equal = sum(1 for v in ordered if v == value)
        rank = Decimal(below) + Decimal(equal - 1) / 2
        result[key] = (rank * 100 / (n - 1)).quantize(TWO, ROUND_HALF_UP)
    return result


def composite(quant, mentor, dept, weights: tuple[int, int, int]) -> Decimal | None:
    """Weighted composite 0–100, or None while a part is missing."""
    if quant is None or mentor is None or dept is None:
        return None
    wq, wm, wd = weights
    total = (Decimal(quant) * wq + Decimal(mentor) * wm + Decimal(dept) * wd) / 100
    return total.quantize(TWO, ROUND_HALF_UP)


def quota(size: int, pct: int) -> int:
    """Places for 优秀 in a cohort: pct % of its size, rounded down."""
    return size * pct // 100


def group_by(rows, key):
    groups = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


def propose(rows, pct: int) -> dict:
    """{row id: grade name}: in each cohort, the best composites without a veto take the 优秀 places,
    everyone else is proposed 称职 (HR adjusts 基本称职 / 不称职 by judgement). Rows need
    .id, .cohort, .composite, .veto; rows without a composite get no proposal."""
    proposal = {}
    for members in group_by(rows, lambda r: r.cohort).values():
        places = quota(len(members), pct)
        ranked = sorted((r for r in members if r.composite is not None), key=lambda r: r.composite, reverse=True)
        for row in ranked:
            if places > 0 and not row.veto:
                proposal[row.id] = "EXCELLENT"
                places -= 1
            else:
                proposal[row.id] = "COMPETENT"
    return proposal
