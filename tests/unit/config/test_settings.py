"""settings.py read afresh from a given environment: the secret key and its former keys."""

import os
import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

import staffgate.config.settings

KEY = "k" * 50
OLD = "o" * 50
OLDER = "p" * 50


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


def test_no_former_keys_by_default(load_settings):
    settings = load_settings(STAFFGATE_SECRET_KEY=KEY)
    assert settings["SECRET_KEY"] == KEY
    assert settings["SECRET_KEY_FALLBACKS"] == []


def test_former_keys_are_a_comma_list(load_settings):
    settings = load_settings(
        STAFFGATE_SECRET_KEY=KEY, STAFFGATE_SECRET_KEY_FALLBACKS=f" {OLD} ,{OLDER},"
    )
    assert settings["SECRET_KEY_FALLBACKS"] == [OLD, OLDER]


def test_former_keys_from_a_file_one_per_line(load_settings, tmp_path):
    keys = tmp_path / "former_keys"
    keys.write_text(f"{OLD}\n{OLDER}\n")
    settings = load_settings(
        STAFFGATE_SECRET_KEY=KEY, STAFFGATE_SECRET_KEY_FALLBACKS_FILE=str(keys)
    )
    assert settings["SECRET_KEY_FALLBACKS"] == [OLD, OLDER]


def test_secret_key_from_a_file(load_settings, tmp_path):
    key = tmp_path / "secret_key"
    key.write_text(KEY + "\n")
    assert load_settings(STAFFGATE_SECRET_KEY_FILE=str(key))["SECRET_KEY"] == KEY


def test_unreadable_secret_key_file_stops_start_up(load_settings, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="STAFFGATE_SECRET_KEY_FILE cannot be read"):
        load_settings(STAFFGATE_SECRET_KEY_FILE=str(tmp_path / "missing"))


def test_short_former_key_stops_start_up_without_showing_it(load_settings):
    with pytest.raises(ImproperlyConfigured, match="STAFFGATE_SECRET_KEY_FALLBACKS") as excinfo:
        load_settings(STAFFGATE_SECRET_KEY=KEY, STAFFGATE_SECRET_KEY_FALLBACKS=f"{OLD},short-key")
    assert "short-key" not in str(excinfo.value)


def test_short_former_key_is_allowed_in_debug(load_settings):
    settings = load_settings(STAFFGATE_DEBUG="1", STAFFGATE_SECRET_KEY_FALLBACKS="old-trial-key")
    assert settings["SECRET_KEY_FALLBACKS"] == ["old-trial-key"]


def test_recovery_asks_the_challenge_questions_by_default(load_settings):
    assert load_settings(STAFFGATE_SECRET_KEY=KEY)["STAFFGATE_RECOVERY_METHODS"] == ("questions",)


def test_recovery_methods_are_a_comma_list(load_settings):
    settings = load_settings(STAFFGATE_SECRET_KEY=KEY, STAFFGATE_RECOVERY_METHODS="questions,email")
    assert settings["STAFFGATE_RECOVERY_METHODS"] == ("questions", "email")


@pytest.mark.parametrize("value", ["questions,sms", ","])
def test_an_unknown_or_missing_recovery_method_stops_start_up(load_settings, value):
    with pytest.raises(ImproperlyConfigured, match="STAFFGATE_RECOVERY_METHODS"):
        load_settings(STAFFGATE_SECRET_KEY=KEY, STAFFGATE_RECOVERY_METHODS=value)
