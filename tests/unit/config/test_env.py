"""Settings from the environment: typed readers, DATABASE_URL and EMAIL_URL.

Every bad value must stop start-up with ImproperlyConfigured naming the variable.
"""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from staffgate.config.env import Env, database_config, email_config

VAR = "STAFFGATE_THING"


def env(value=None):
    return Env({} if value is None else {VAR: value})


def refused(match=VAR):
    return pytest.raises(ImproperlyConfigured, match=match)


# --- str / raw ------------------------------------------------------------------------------


def test_str_value_is_trimmed():
    assert env("  hello ").str(VAR, "default") == "hello"
    assert env("  hello ").raw(VAR) == "hello"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_str_missing_or_blank_gives_default(value):
    assert env(value).str(VAR, "default") == "default"


def test_raw_missing_is_none():
    assert env().raw(VAR) is None


def test_env_reads_the_process_environment_by_default(monkeypatch):
    monkeypatch.setenv(VAR, "from-os")
    assert Env().str(VAR, "default") == "from-os"


# --- bool -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", "yes", "Yes", "on", " ON "])
def test_bool_true_words(value):
    assert env(value).bool(VAR, False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "No", "off", " Off "])
def test_bool_false_words(value):
    assert env(value).bool(VAR, True) is False


@pytest.mark.parametrize("default", [True, False])
def test_bool_missing_gives_default(default):
    assert env().bool(VAR, default) is default


@pytest.mark.parametrize("value", ["maybe", "2", "y", "n", "enabled", "-1"])
def test_bool_bad_value_names_the_variable(value):
    with refused():
        env(value).bool(VAR, False)


# --- int ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("42", 42), (" 42 ", 42), ("0", 0)])
def test_int_reads_whole_numbers(value, expected):
    assert env(value).int(VAR, 7) == expected


@pytest.mark.parametrize("value", [None, "", "  "])
def test_int_missing_or_blank_gives_default(value):
    assert env(value).int(VAR, 7) == 7


@pytest.mark.parametrize("value", ["abc", "1.5", "1e3", "12 minutes", "0x10"])
def test_int_not_a_number_names_the_variable(value):
    with refused():
        env(value).int(VAR, 7)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("0", False), ("1", True), ("10", True), ("11", False), ("-5", False)],
)
def test_int_range_is_inclusive(value, accepted):
    if accepted:
        assert env(value).int(VAR, 5, minimum=1, maximum=10) == int(value)
    else:
        with refused(f"{VAR}.*between 1 and 10"):
            env(value).int(VAR, 5, minimum=1, maximum=10)


def test_int_is_not_negative_by_default():
    with refused():
        env("-1").int(VAR, 5)


def test_int_without_maximum_accepts_large_numbers():
    assert env("1000000").int(VAR, 5, minimum=60) == 1_000_000
    with refused(f"{VAR}.*>= 60"):
        env("59").int(VAR, 5, minimum=60)


# --- choice ---------------------------------------------------------------------------------

POLICIES = ("classic", "strict")


def test_choice_default_when_missing():
    assert env().choice(VAR, "classic", POLICIES) == "classic"
    assert env("").choice(VAR, "classic", POLICIES) == "classic"


@pytest.mark.parametrize("value", ["strict", "STRICT", " Strict "])
def test_choice_is_case_insensitive(value):
    assert env(value).choice(VAR, "classic", POLICIES) == "strict"


def test_choice_bad_value_names_the_variable_and_the_choices():
    with refused(f"{VAR}.*classic, strict"):
        env("lenient").choice(VAR, "classic", POLICIES)


# --- list -----------------------------------------------------------------------------------


def test_list_splits_on_commas_and_drops_blanks():
    assert env(" a.example.com, b.example.com,, c ").list(VAR, ["x"]) == [
        "a.example.com",
        "b.example.com",
        "c",
    ]


def test_list_missing_gives_default():
    assert env().list(VAR, ["x", "y"]) == ["x", "y"]


def test_list_set_but_empty_is_empty():
    assert env("").list(VAR, ["x"]) == []
    assert env(" , ").list(VAR, ["x"]) == []


# --- time_zone ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["America/New_York", "Europe/Paris", "UTC", " America/Toronto "])
def test_time_zone_accepts_known_zones(value):
    assert env(value).time_zone(VAR, "America/New_York") == value.strip()


def test_time_zone_default():
    assert env().time_zone(VAR, "America/New_York") == "America/New_York"


@pytest.mark.parametrize(
    "value", ["Mars/Olympus_Mons", "America", "EST5EDT/", "../etc/passwd", "/etc/localtime", "+5"]
)
def test_time_zone_bad_value_names_the_variable(value):
    with refused():
        env(value).time_zone(VAR, "America/New_York")


# --- links ----------------------------------------------------------------------------------


def test_links_are_label_url_pairs():
    value = "Pay stubs|https://pay.example.com, Benefits | http://benefits.example.com/a?b=c"
    assert env(value).links(VAR, "") == [
        ("Pay stubs", "https://pay.example.com"),
        ("Benefits", "http://benefits.example.com/a?b=c"),
    ]


def test_links_default_is_parsed_when_missing():
    assert env().links(VAR, "Home|https://example.com") == [("Home", "https://example.com")]
    assert env().links(VAR, "") == []


def test_links_skip_empty_items():
    assert env("A|https://a.example,,").links(VAR, "") == [("A", "https://a.example")]


@pytest.mark.parametrize(
    "value",
    [
        "https://no-label.example.com",
        "|https://example.com",
        "Label|",
        "Label|ftp://example.com",
        "Label|javascript:alert(1)",
        "Label|example.com",
        "Good|https://a.example,Bad",
    ],
)
def test_links_bad_item_names_the_variable(value):
    with refused():
        env(value).links(VAR, "")


# --- database_config ------------------------------------------------------------------------


def test_sqlite_url(tmp_path):
    path = tmp_path / "data" / "portal.sqlite3"
    config = database_config(f"sqlite:///{path}", tmp_path / "unused.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(path)
    # Writers serialise at BEGIN so login counters cannot race.
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["CONN_MAX_AGE"] > 0  # connections are kept, as on PostgreSQL
    assert path.parent.is_dir()


@pytest.mark.parametrize("url", [None, ""])
def test_missing_url_means_sqlite_at_the_default_path(tmp_path, url):
    default = tmp_path / "var" / "staffgate.sqlite3"
    config = database_config(url, default)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(config["NAME"]) == default
    assert default.parent.is_dir()


def test_sqlite_in_memory(tmp_path):
    config = database_config("sqlite://:memory:", tmp_path / "unused.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == ":memory:"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql", "POSTGRES"])
def test_postgres_url(tmp_path, scheme):
    url = f"{scheme}://portal:s3cret@db.example.com:5433/staffgate"
    config = database_config(url, tmp_path / "unused.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "staffgate"
    assert config["USER"] == "portal"
    assert config["PASSWORD"] == "s3cret"
    assert config["HOST"] == "db.example.com"
    assert int(config["PORT"]) == 5433
    assert config["CONN_MAX_AGE"] > 0
    assert not (tmp_path / "unused.sqlite3").exists()


@pytest.mark.parametrize(
    "url", ["mysql://u:p@h/db", "redis://h:6379/0", "oracle://h/db", "just-a-word", "/var/db"]
)
def test_unsupported_database_scheme(tmp_path, url):
    with refused("DATABASE_URL"):
        database_config(url, tmp_path / "unused.sqlite3")


def test_malformed_postgres_url_does_not_echo_the_password(tmp_path):
    with refused("DATABASE_URL") as excinfo:
        database_config("postgres://portal:s3cret@db:notaport/staffgate", tmp_path / "x")
    assert "s3cret" not in str(excinfo.value)


# --- email_config ---------------------------------------------------------------------------

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize("url", [None, "", "console:", "console://", "CONSOLE:"])
def test_console_is_the_default(url):
    assert email_config(url) == {"EMAIL_BACKEND": CONSOLE}


def test_locmem():
    assert email_config("locmem:") == {
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"
    }


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("filemail:///var/mail/staffgate", "/var/mail/staffgate"),
        ("filemail:///tmp/my%20mail", "/tmp/my mail"),
        ("filemail:/srv/mail", "/srv/mail"),
    ],
)
def test_filemail_writes_to_an_absolute_folder(url, folder):
    assert email_config(url) == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": folder,
    }


@pytest.mark.parametrize(
    "url", ["filemail:var/mail", "filemail:", "filemail://var/mail", "filemail://mail"]
)
def test_filemail_relative_folder_is_refused(url):
    with refused("EMAIL_URL.*absolute"):
        email_config(url)


def test_smtp_with_credentials_and_port():
    assert email_config("smtp://mailer:pw@mail.example.com:25") == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 25,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "pw",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
    }


def test_smtp_defaults_to_port_25_without_credentials():
    config = email_config("smtp://mail.example.com")
    assert config["EMAIL_PORT"] == 25
    assert config["EMAIL_HOST_USER"] == ""
    assert config["EMAIL_HOST_PASSWORD"] == ""
    assert config["EMAIL_USE_TLS"] is False


def test_smtp_tls_uses_starttls_on_587():
    config = email_config("smtp+tls://mail.example.com")
    assert config["EMAIL_BACKEND"] == SMTP
    assert config["EMAIL_HOST"] == "mail.example.com"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_USE_TLS"] is True
    assert config["EMAIL_USE_SSL"] is False


def test_smtp_tls_with_an_explicit_port():
    assert email_config("smtp+tls://mail.example.com:2525")["EMAIL_PORT"] == 2525


def test_smtps_uses_implicit_tls_on_465():
    config = email_config("smtps://mail.example.com")
    assert config["EMAIL_PORT"] == 465
    assert config["EMAIL_USE_SSL"] is True
    assert config["EMAIL_USE_TLS"] is False


def test_smtp_credentials_are_percent_decoded():
    config = email_config("smtp://us%40er:p%3Aw%2Fd@mail.example.com")
    assert config["EMAIL_HOST_USER"] == "us@er"
    assert config["EMAIL_HOST_PASSWORD"] == "p:w/d"


def test_smtp_scheme_is_case_insensitive():
    assert email_config("SMTP+TLS://mail.example.com")["EMAIL_USE_TLS"] is True


def test_smtp_timeout():
    assert email_config("smtp://mail.example.com?timeout=30")["EMAIL_TIMEOUT"] == 30
    with refused("EMAIL_URL.*timeout"):
        email_config("smtp://mail.example.com?timeout=soon")


@pytest.mark.parametrize(
    "url",
    ["smtp://mail.example.com:abc", "smtp://mail.example.com:99999", "smtp+tls://h:-1"],
)
def test_smtp_bad_port(url):
    with refused("EMAIL_URL.*port"):
        email_config(url)


def test_smtp_without_host_does_not_echo_the_password():
    with refused("EMAIL_URL.*host") as excinfo:
        email_config("smtp://mailer:s3cret@:25")
    assert "s3cret" not in str(excinfo.value)


@pytest.mark.parametrize(
    "url", ["http://mail.example.com", "imap://mail.example.com", "mailto:a@b.c", "sendmail:"]
)
def test_unsupported_email_scheme(url):
    with refused("EMAIL_URL scheme"):
        email_config(url)
