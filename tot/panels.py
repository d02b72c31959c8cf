"""What a receipt says a TOT charge paid for: the return's period and the operator."""

from revenue.extensions import charge_describer, sources_of

from .models import TotReturn


@charge_describer
def return_period(charges) -> dict[int, str]:
    return {
        pk: f"TOT {r.period_start:%B %Y}, {r.operator.name}"
        for pk, r in sources_of(charges, TotReturn, related=("operator",)).items()
    }
