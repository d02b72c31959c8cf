"""Issue 12, point 9: `check --deploy` is clean under production settings, HTTPS is on by default
with DEBUG=0, and a plain-HTTP run (the benchmark's SECURE_COOKIES=0) can turn it off."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra):
    db = settings.DATABASES["default"]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DJANGO_", "OTP_", "LOGIN_", "TRUSTED_PROXY"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="counter.city.gov",
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        DJANGO_SETTINGS_MODULE="revenue.settings",
    )
    env.update(extra)
    return env


def _manage(*args, **extra):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(**extra),
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_when_https_is_turned_off():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECURE_SSL_REDIRECT="0")
    assert result.returncode != 0 and "security.W008" in result.stdout + result.stderr


def _settings(**extra) -> dict:
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
    ]
    code = f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    result = _manage("shell", "-c", code, **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_defaults_and_the_plain_http_switch():
    prod = _settings(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https")
    assert prod["SECURE_SSL_REDIRECT"] and prod["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and prod["SESSION_COOKIE_SECURE"]
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    bench = _settings(SECURE_COOKIES="0")  # what bench/bench_receipts.py sets
    assert not bench["SECURE_SSL_REDIRECT"] and bench["SECURE_HSTS_SECONDS"] == 0
    assert bench["SECURE_PROXY_SSL_HEADER"] is None
    only_redirect_off = _settings(SECURE_SSL_REDIRECT="0")
    assert not only_redirect_off["SECURE_SSL_REDIRECT"] and only_redirect_off["SESSION_COOKIE_SECURE"]
