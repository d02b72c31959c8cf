from django.conf import settings


def city(request):
    context = {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_DEPARTMENT": settings.CITY_DEPARTMENT,
        "CITY_ADDRESS": settings.CITY_ADDRESS,
        "office": _office,  # called only by a page that prints it (the 80 mm receipt)
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("revenue.approve_exception"):
        from .models import ApprovalRequest

        context["nav_pending"] = lambda: ApprovalRequest.objects.filter(status="pending").count()
    return context


def _office():
    from .services.office import office_on

    return office_on()
