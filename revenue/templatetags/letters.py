"""The parts every letter and notice shares (templates/print/letter.html): the letterhead with the
office's contact details, the address block placed for a #10 window envelope, and the closing
contact lines with the second-language line."""

from django import template

register = template.Library()


def address_lines(to=None, *, name: str = "", address: str = "") -> list[str]:
    """The lines of a mailing address: a party's (name, street, city line), or a name and an
    address typed as text (one line per line, or commas), whichever the letter has."""
    lines = [name or getattr(to, "name", "")]
    street = [getattr(to, f, "") for f in ("address_line1", "address_line2")]
    if any(street):
        lines += street
        city = getattr(to, "city", "")
        lines.append(
            f"{city}, {getattr(to, 'state', '')} {getattr(to, 'postal_code', '')}".strip(" ,") if city else ""
        )
    elif address:
        parts = address.splitlines() if "\n" in address else address.split(", ", 1)
        lines += parts
    return [line.strip() for line in lines if line and line.strip()][:5]  # a window shows five lines


@register.inclusion_tag("print/_letter_head.html", takes_context=True)
def letter_head(context, to=None, *, name="", address="", date=None, reference=""):
    """The top of a letter: letterhead, the date and reference, and the addressee in the window."""
    return {
        "office": context.get("office"),
        "CITY_NAME": context.get("CITY_NAME"),
        "lines": address_lines(to, name=name, address=address),
        "date": date,
        "reference": reference,
    }


@register.inclusion_tag("print/_letter_foot.html", takes_context=True)
def letter_foot(context):
    """The end of every letter and notice: how to reach the office, and the second-language line."""
    return {"office": context.get("office")}
