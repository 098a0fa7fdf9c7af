"""settings.py read afresh from a given environment: the secret key."""

import os
import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

import staffgate.config.settings

KEY = "k" * 50


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """Run settings.py with exactly these variables (plus what any start needs)."""

    def load(**variables):
        for name in list(os.environ):
            if name.startswith("STAFFGATE_") or name in ("DATABASE_URL", "EMAIL_URL"):
                monkeypatch.delenv(name)
        monkeypatch.setenv("STAFFGATE_VAR_DIR", str(tmp_path / "var"))
        monkeypatch.setenv("STAFFGATE_ALLOWED_HOSTS", "portal.example.com")
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(staffgate.config.settings.__file__, run_name="settings_under_test")

    return load


def test_secret_key_from_a_file(load_settings, tmp_path):
    key = tmp_path / "secret_key"
    key.write_text(KEY + "\n")
    assert load_settings(STAFFGATE_SECRET_KEY_FILE=str(key))["SECRET_KEY"] == KEY


def test_unreadable_secret_key_file_stops_start_up(load_settings, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="STAFFGATE_SECRET_KEY_FILE cannot be read"):
        load_settings(STAFFGATE_SECRET_KEY_FILE=str(tmp_path / "missing"))
