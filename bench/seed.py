"""Fill the bench database with registered accounts that share one precomputed hash.

``python -m bench.seed add START COUNT``  bulk-creates accounts START+1 … START+COUNT
through the ORM (Person and Account rows, ``bulk_create``);
``python -m bench.seed grow TOTAL``       adds accounts up to TOTAL with one
``INSERT … SELECT`` (``generate_series`` on PostgreSQL, a recursive CTE on SQLite);
``python -m bench.seed totp FIRST LAST``   gives accounts FIRST … LAST a confirmed
authenticator app, all with the key ``bench.common.TOTP_KEY``, stored as the portal stores it;
``python -m bench.seed count``            prints the number of accounts.

Run with the bench's environment (``DATABASE_URL`` …) and ``DJANGO_SETTINGS_MODULE``.
The password is hashed once, with the production hasher and parameters.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys

from bench.common import PASSWORD, TOTP_KEY, account_id

BATCH = 5000


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def _person_values(number: int) -> dict:
    return {
        "employee_id": account_id(number),
        "first_name": "Bench",
        "last_name": f"Person{number}",
        "birth_year": 1980,
        "country": "US",
        "status": "active",
        "retirement_plan": False,
    }


def add_accounts(start: int, count: int) -> None:
    """Bulk-create people and accounts ``start+1 … start+count`` with one shared hash."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from staffgate.accounts.models import Account
    from staffgate.roster.models import Person

    hashed = make_password(PASSWORD)
    now = timezone.now()
    for first in range(start + 1, start + count + 1, BATCH):
        numbers = range(first, min(first + BATCH, start + count + 1))
        with transaction.atomic():
            people = Person.objects.bulk_create(Person(**_person_values(n)) for n in numbers)
            Account.objects.bulk_create(
                Account(
                    person=person,
                    user_id=person.employee_id,
                    password=hashed,
                    email=f"{person.employee_id.lower()}@bench.example.com",
                    email_verified_at=now,  # proved by its code, as registration does
                    language="en",
                    terms_version="2026-01",
                    terms_accepted_at=now,
                    registered_at=now,
                    password_changed_at=now,
                )
                for person in people
            )


def add_totp_factors(first: int, last: int) -> int:
    """Give accounts ``first … last`` one confirmed authenticator app with the shared key.

    Each key is encrypted by the portal's field encryption, as enrolment stores it (so the
    portal's servers must run with the same secret or field keys); the accounts' earlier
    apps go. Returns how many accounts got one.
    """
    from django.db import transaction

    from staffgate.accounts.models import Account
    from staffgate.factors import crypto, service
    from staffgate.factors.models import TotpFactor

    key = totp_key_bytes()
    # Zero-padded numbers: the IDs of a range are a range of strings.
    in_range = {"user_id__gte": account_id(first), "user_id__lte": account_id(last)}
    pks = list(Account.objects.filter(**in_range).values_list("pk", flat=True))
    if len(pks) != last - first + 1:
        raise SystemExit(f"bench: {len(pks)} of accounts {first}…{last} exist; seed them first")
    with transaction.atomic():
        TotpFactor.objects.filter(**{f"user__{k}": v for k, v in in_range.items()}).delete()
        for start in range(0, len(pks), BATCH):
            TotpFactor.objects.bulk_create(
                TotpFactor(
                    user_id=pk,
                    name=service.DEFAULT_NAME,
                    confirmed=True,
                    encrypted_key=crypto.encrypt(key),
                )
                for pk in pks[start : start + BATCH]
            )
    return len(pks)


def totp_key_bytes() -> bytes:
    """The shared key as the portal keeps it (bytes), from its base32 text."""
    return base64.b32decode(TOTP_KEY)


def _insert_select(model, expressions: dict[str, str], params: dict, source: str):
    """``INSERT INTO model (…) SELECT … FROM source``; unnamed columns get the field default."""
    from django.db import connection

    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in expressions:
            values.append(expressions[field.name])
            args.extend(params.get(field.name, ()))
        else:
            values.append("%s")
            args.append(field.get_db_prep_save(field.get_default(), connection))
    # Names come from the models and values are parameters.
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608
    return sql, args


def grow_to(total: int) -> int:
    """Add accounts until there are ``total``, in two set-based statements; return how many."""
    from django.db import connection, transaction
    from django.utils import timezone

    from staffgate.accounts.models import Account
    from staffgate.roster.models import Person

    have = Account.objects.count()
    if have >= total:
        return 0
    hashed = Account.objects.values_list("password", flat=True).first()
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    postgres = connection.vendor == "postgresql"
    if postgres:
        numbers = "generate_series(%s, %s) AS seq(n)"
        employee_id = f"'{account_id(0)[:2]}' || lpad(seq.n::text, 7, '0')"
        last_name = "'Person' || seq.n::text"
    else:
        numbers = (
            "(WITH RECURSIVE seq(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
            "SELECT n FROM seq) AS seq"
        )
        employee_id = f"printf('{account_id(0)[:2]}%%07d', seq.n)"
        last_name = "'Person' || seq.n"
    values = _person_values(0)
    person_sql, person_args = _insert_select(
        Person,
        {
            "employee_id": employee_id,
            "last_name": last_name,
            "first_name": "%s",
            "birth_year": "%s",
            "country": "%s",
            "status": "%s",
            "updated_at": "%s",
        },
        {
            "first_name": [values["first_name"]],
            "birth_year": [values["birth_year"]],
            "country": [values["country"]],
            "status": [values["status"]],
            "updated_at": [stamp],
        },
        numbers,
    )
    # The range parameters of the FROM clause come last in the statement.
    person_args += [have + 1, total]
    person_table = connection.ops.quote_name(Person._meta.db_table)
    account_sql, account_args = _insert_select(
        Account,
        {
            "person": "p.id",
            "user_id": "p.employee_id",
            "password": "%s",
            "email": "lower(p.employee_id) || '@bench.example.com'",
            "email_verified_at": "%s",  # proved by its code, as registration does
            "language": "'en'",
            "terms_version": "'2026-01'",
            "terms_accepted_at": "%s",
            "registered_at": "%s",
            "password_changed_at": "%s",
        },
        {
            "password": [hashed],
            "email_verified_at": [stamp],
            "terms_accepted_at": [stamp],
            "registered_at": [stamp],
            "password_changed_at": [stamp],
        },
        f"{person_table} AS p WHERE p.employee_id > %s AND p.employee_id <= %s "
        f"AND p.employee_id LIKE '{account_id(0)[:2]}%%'",
    )
    account_args += [account_id(have), account_id(total)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(person_sql, person_args)
        cursor.execute(account_sql, account_args)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return total - have


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add")
    add.add_argument("start", type=int)
    add.add_argument("count", type=int)
    grow = sub.add_parser("grow")
    grow.add_argument("total", type=int)
    totp = sub.add_parser("totp")
    totp.add_argument("first", type=int)
    totp.add_argument("last", type=int)
    sub.add_parser("count")
    args = parser.parse_args(argv)
    _setup()
    if args.command == "add":
        add_accounts(args.start, args.count)
    elif args.command == "grow":
        grow_to(args.total)
    elif args.command == "totp":
        sys.stdout.write(f"{add_totp_factors(args.first, args.last)}\n")
        return
    from staffgate.accounts.models import Account

    sys.stdout.write(f"{Account.objects.count()}\n")


if __name__ == "__main__":
    main()
