"""The settings module: read from the environment, strict when DEBUG is off."""

import subprocess
import sys
from pathlib import Path

from tests.processes import inherited_env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qz!v9Lr2@pX4m$Ws8^Nd6&Tb1*Hc3(Jf5)Gy0-Ue_Ia+Ro=Ek;Ml:Vn<Bq>Zx",
    "ALLOWED_HOSTS": "scalelab.example",
    "CSRF_TRUSTED_ORIGINS": "https://scalelab.example",
    "DATABASE_URL": "sqlite:////tmp/scalelab-settings-test.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in inherited_env().items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "sandbox.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_every_deployment_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_debug_the_app_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_uses_a_development_key_and_sqlite_by_default():
    env = {"DEBUG": "1", "SECRET_KEY": "", "DATABASE_URL": ""}
    code = (
        "from django.conf import settings as s;"
        "print(s.SECRET_KEY.startswith('django-insecure'), s.DATABASES['default']['ENGINE'])"
    )

    result = manage("shell", "--no-imports", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_a_malformed_boolean_is_refused_with_its_name():
    result = manage("check", env={**PRODUCTION, "DEBUG": "maybe"})

    assert result.returncode != 0
    assert "DEBUG='maybe'" in result.stderr
