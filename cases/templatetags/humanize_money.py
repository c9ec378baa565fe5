from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def usd(value):
    """$1.2B, $340.5M, $12,500: amounts as a reviewer scans them."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    for size, suffix in ((Decimal("1e9"), "B"), (Decimal("1e6"), "M")):
        if abs(amount) >= size:
            return f"${amount / size:,.1f}{suffix}"
    return f"${amount:,.0f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key, {}) if mapping else {}
