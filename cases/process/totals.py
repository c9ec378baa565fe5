"""A case's totals, derived from its line items: the only place they are computed."""
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Totals:
    total: Decimal
    mde: Decimal
    design_construction: Decimal
    primary_capability: object


def totals_of(items):
    """Totals of line items; the primary capability is the one with the largest value (first on a tie)."""
    total = mde = design_construction = Decimal("0")
    by_capability = {}
    for item in items:
        value = item.quantity * item.unit_cost_usd
        total += value
        if item.is_mde:
            mde += value
        if item.is_design_construction:
            design_construction += value
        by_capability.setdefault(item.capability.pk, [item.capability, Decimal("0")])[1] += value
    primary = max(by_capability.values(), key=lambda pair: pair[1])[0] if by_capability else None
    return Totals(total=total, mde=mde, design_construction=design_construction, primary_capability=primary)
