"""Settings from the environment: typed readers, DATABASE_URL, EMAIL_URL and the cache.

Every bad value must stop start-up with ImproperlyConfigured naming the variable.
"""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from staffgate.config.env import StaffgateEnv

VAR = "STAFFGATE_THING"


def env(value=None):
    return StaffgateEnv({} if value is None else {VAR: value})


def database_config(url, default_sqlite_path):
    """What settings.py makes of DATABASE_URL=url (unset when None)."""
    source = {} if url is None else {"DATABASE_URL": url}
    return StaffgateEnv(source).db_url("DATABASE_URL", default=f"sqlite:///{default_sqlite_path}")


def email_config(url):
    """What settings.py makes of EMAIL_URL=url (unset when None)."""
    return StaffgateEnv({} if url is None else {"EMAIL_URL": url}).email_url("EMAIL_URL")


def cache_config(url):
    """What settings.py makes of STAFFGATE_CACHE_URL=url (unset when None)."""
    source = {} if url is None else {"STAFFGATE_CACHE_URL": url}
    return StaffgateEnv(source).cache_url("STAFFGATE_CACHE_URL")


def refused(match=VAR):
    return pytest.raises(ImproperlyConfigured, match=match)


# --- str ------------------------------------------------------------------------------------


def test_str_value_is_trimmed():
    assert env("  hello ").str(VAR, "default") == "hello"
    assert env("  hello ").str(VAR, None) == "hello"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_str_missing_or_blank_gives_default(value):
    assert env(value).str(VAR, "default") == "default"


def test_str_missing_without_default_is_none_when_asked():
    assert env().str(VAR, None) is None


def test_str_without_a_default_is_required():
    with refused(f"Set the {VAR} environment variable"):
        env().str(VAR)


def test_env_reads_the_process_environment_by_default(monkeypatch):
    monkeypatch.setenv(VAR, "from-os")
    assert StaffgateEnv().str(VAR, "default") == "from-os"


# --- X_FILE ---------------------------------------------------------------------------------


def test_every_variable_may_be_read_from_a_file(tmp_path):
    secret = tmp_path / "value"
    secret.write_text("  from-a-file\n")
    reader = StaffgateEnv({f"{VAR}_FILE": str(secret)})
    assert reader.str(VAR, "default") == "from-a-file"
    assert reader.list(VAR, []) == ["from-a-file"]


def test_file_wins_over_the_variable(tmp_path):
    secret = tmp_path / "value"
    secret.write_text("42")
    reader = StaffgateEnv({VAR: "7", f"{VAR}_FILE": str(secret)})
    assert reader.int(VAR, 0) == 42


def test_blank_file_variable_is_ignored():
    assert StaffgateEnv({VAR: "direct", f"{VAR}_FILE": ""}).str(VAR, "default") == "direct"


def test_unreadable_file_names_the_file_variable(tmp_path):
    with refused(f"{VAR}_FILE cannot be read"):
        StaffgateEnv({f"{VAR}_FILE": str(tmp_path / "missing")}).str(VAR, "default")


def test_file_that_is_not_text_names_the_file_variable(tmp_path):
    binary = tmp_path / "value"
    binary.write_bytes(b"\xff\xfe\x00key")
    with refused(f"{VAR}_FILE cannot be read"):
        StaffgateEnv({f"{VAR}_FILE": str(binary)}).str(VAR, "default")


def test_a_database_url_may_be_read_from_a_file(tmp_path):
    secret = tmp_path / "database_url"
    secret.write_text("postgres://portal:s3cret@db.example.com/staffgate\n")
    config = StaffgateEnv({"DATABASE_URL_FILE": str(secret)}).db_url(
        "DATABASE_URL", default=f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    )
    assert config["PASSWORD"] == "s3cret"
    assert config["HOST"] == "db.example.com"


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


# --- choice_list ----------------------------------------------------------------------------

METHODS = ("questions", "email")


def test_choice_list_default_when_missing():
    assert env().choice_list(VAR, ("questions",), METHODS) == ("questions",)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("email", ("email",)),
        (" Questions , EMAIL ", ("questions", "email")),
        ("email,questions", ("email", "questions")),
        ("email,email,", ("email",)),
    ],
)
def test_choice_list_reads_one_or_more_choices_without_case(value, expected):
    assert env(value).choice_list(VAR, ("questions",), METHODS) == expected


@pytest.mark.parametrize("value", ["questions,sms", "e-mail", "questions email"])
def test_choice_list_unknown_item_names_the_variable_the_item_and_the_choices(value):
    with refused(f"{VAR}: .* is not allowed; list one or more of: questions, email"):
        env(value).choice_list(VAR, ("questions",), METHODS)


@pytest.mark.parametrize("value", ["", " , "])
def test_choice_list_set_but_naming_nothing_is_refused(value):
    with refused(f"{VAR} names nothing; list one or more of: questions, email"):
        env(value).choice_list(VAR, ("questions",), METHODS)


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


def test_list_from_a_file_may_hold_one_item_per_line():
    assert env("first\nsecond,third\n\n").list(VAR, []) == ["first", "second", "third"]


# --- networks -------------------------------------------------------------------------------


def test_networks_are_addresses_or_networks():
    nets = env("10.0.0.0/8, 127.0.0.1,::1, 192.168.1.7/24").networks(VAR, [])
    assert [str(net) for net in nets] == ["10.0.0.0/8", "127.0.0.1/32", "::1/128", "192.168.1.0/24"]


def test_networks_missing_gives_default():
    assert env().networks(VAR, []) == []


@pytest.mark.parametrize("value", ["proxy.example.com", "10.0.0.0/33", "256.1.1.1", "10.0.0.1,x"])
def test_networks_bad_item_names_the_variable(value):
    with refused(VAR):
        env(value).networks(VAR, [])


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


def test_postgres_connections_are_kept_and_health_checked(tmp_path):
    config = database_config("postgres://portal@db.example.com/staffgate", tmp_path / "x")
    assert config["CONN_MAX_AGE"] == 600
    assert config["CONN_HEALTH_CHECKS"] is True
    assert "transaction_mode" not in config.get("OPTIONS", {})


def test_postgres_url_options_reach_the_driver(tmp_path):
    url = "postgres://portal@db.example.com/staffgate?sslmode=require&conn_max_age=0"
    config = database_config(url, tmp_path / "x")
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["CONN_MAX_AGE"] == 0


def test_postgres_socket_folder(tmp_path):
    config = database_config("postgres://%2Fvar%2Frun%2Fpostgresql/staffgate", tmp_path / "x")
    assert config["HOST"] == "/var/run/postgresql"
    assert config["NAME"] == "staffgate"


def test_sqlite_waits_for_the_write_lock_and_skips_health_checks(tmp_path):
    config = database_config(None, tmp_path / "staffgate.sqlite3")
    assert config["OPTIONS"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    assert config["CONN_MAX_AGE"] == 600
    assert "CONN_HEALTH_CHECKS" not in config


def test_blank_database_url_means_the_default(tmp_path):
    default = tmp_path / "var" / "staffgate.sqlite3"
    assert Path(database_config("  ", default)["NAME"]) == default


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


# --- cache_url ------------------------------------------------------------------------------

REDIS = "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize("url", [None, "", "  "])
def test_cache_defaults_to_per_process_memory(url):
    assert cache_config(url) == {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6379/0", "rediss://:pw@cache.example.com:6380/1", "unix:///run/redis.sock"],
)
def test_cache_in_redis(url):
    assert cache_config(url) == {"BACKEND": REDIS, "LOCATION": url}


def test_cache_url_options_reach_redis():
    config = cache_config("redis://cache.example.com:6379/0?socket_timeout=5")
    assert config["LOCATION"] == "redis://cache.example.com:6379/0"
    assert config["OPTIONS"] == {"socket_timeout": 5}


@pytest.mark.parametrize(
    "url", ["memcache://127.0.0.1:11211", "locmemcache://", "dbcache://t", "cache.example.com"]
)
def test_cache_other_than_redis_is_refused(url):
    with refused("STAFFGATE_CACHE_URL must be a redis:// URL"):
        cache_config(url)


def test_a_value_starting_with_a_dollar_is_taken_as_it_is():
    reader = StaffgateEnv({VAR: "$OTHER-secret", "OTHER": "something else"})
    assert reader.str(VAR, "default") == "$OTHER-secret"


def test_field_keys_are_fernet_keys_newest_first():
    from cryptography.fernet import Fernet

    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys = StaffgateEnv({"STAFFGATE_FIELD_KEYS": f"{first}, {second}"}).fernet_keys(
        "STAFFGATE_FIELD_KEYS"
    )
    assert keys == [first, second]
    assert StaffgateEnv({}).fernet_keys("STAFFGATE_FIELD_KEYS") == []


@pytest.mark.parametrize("value", ["not-a-key", "c2hvcnQ=", "x" * 44])
def test_a_bad_field_key_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="STAFFGATE_FIELD_KEYS: key number 1"):
        StaffgateEnv({"STAFFGATE_FIELD_KEYS": value}).fernet_keys("STAFFGATE_FIELD_KEYS")


# --- The brand and the public address -------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["portal.example.com", "ftp://portal.example.com", "https://", "https://a.example/x"]
)
def test_a_public_url_must_be_an_http_address_without_a_path(value):
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env(value).public_url(VAR)


def test_a_public_url_loses_its_trailing_slash_and_may_be_unset():
    assert env("https://portal.example.com/").public_url(VAR) == "https://portal.example.com"
    assert env().public_url(VAR) == ""


@pytest.mark.parametrize("value", ["not an address", "a@b.example\r\nBcc: x@y.example"])
def test_an_email_setting_must_be_one_address(value):
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env(value).email_address(VAR, "")


def test_a_from_address_may_carry_a_name_and_a_helpdesk_address_not():
    assert env("Acme <no-reply@acme.example>").email_address(VAR, "", named=True)
    with pytest.raises(ImproperlyConfigured):
        env("Acme <help@acme.example>").email_address(VAR, "")


def test_the_logo_must_be_an_existing_image_file(tmp_path):
    logo = tmp_path / "logo.png"
    with pytest.raises(ImproperlyConfigured, match="no such file"):
        env(str(logo)).image_file(VAR)
    logo.write_bytes(b"\x89PNG")
    assert env(str(logo)).image_file(VAR) == str(logo.resolve())
    (tmp_path / "logo.exe").write_bytes(b"")
    with pytest.raises(ImproperlyConfigured, match="not an image"):
        env(str(tmp_path / "logo.exe")).image_file(VAR)
