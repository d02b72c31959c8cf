"""`{{ amount|money }}` formats an amount everywhere: $1,234.50, negatives as ($1,234.50)."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value, symbol="$"):
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return value
    text = f"{symbol}{abs(amount):,.2f}"
    return f"({text})" if amount < 0 else text


@register.filter
def plain_money(value):
    """1234.5 → 1,234.50 (no symbol), for columns of figures."""
    return money(value, symbol="")


@register.filter
def action_words(action: str) -> str:
    """An audit action in plain words: 'citation.review_requested' → 'Citation review requested'."""
    text = str(action or "").replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]
