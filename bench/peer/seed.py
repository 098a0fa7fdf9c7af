"""Fill the peer's database with the bench's accounts: ``python -m bench.peer.seed COUNT``.

Users ``BX0000001`` … with the bench's password, hashed once with the peer's hasher
(staffgate's parameters) and shared by every row, created with ``bulk_create`` — the
same accounts and passwords as ``bench.seed`` gives the portal. Prints the user count.
"""

from __future__ import annotations

import argparse
import os
import sys

from bench.common import PASSWORD, account_id

BATCH = 5000


def add_users(count: int) -> None:
    """Bulk-create users 1…``count`` sharing one precomputed hash."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import transaction

    hashed = make_password(PASSWORD)
    for first in range(1, count + 1, BATCH):
        numbers = range(first, min(first + BATCH, count + 1))
        with transaction.atomic():
            User.objects.bulk_create(
                User(
                    username=account_id(n),
                    password=hashed,
                    email=f"{account_id(n).lower()}@bench.example.com",
                    first_name="Bench",
                    last_name=f"Person{n}",
                )
                for n in numbers
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    add_users(args.count)
    sys.stdout.write(f"{User.objects.count()}\n")


if __name__ == "__main__":
    main()
