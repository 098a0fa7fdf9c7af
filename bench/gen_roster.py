"""Write a fictional HR roster CSV for load tests: ``python bench/gen_roster.py N OUT.csv``.

Deterministic: the same N gives the same file, byte for byte. Every row is valid for
``staffgate import-roster``. Employee IDs are unique and come in shuffled order (as a
real export sorted by name would give them), with leading zeros and some letters.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys

# The PIN module and the row rules need no configured Django: usable here as they are.
from staffgate.roster.pin import letters_only
from staffgate.roster.rows import COLUMNS

FIRST_NAMES = (
    "Élise Zoë Chloé Renée Inès Léa Noémie Anaïs Hélène Maëlle Mary John Seán Ana José "
    "María Lucía Sofía Andrés Ramón Joaquín Björn Søren Jürgen Łukasz Dvořák Ngozi Aiyana "
    "Kenji Mei Priya Arjun Fatima Omar Chidi Olga Pavel François Benoît Gaëtan Jérôme"
).split()
LAST_NAMES = (
    "O'Brien,D'Amico,Tremblay,Côté,Gagnon,Bélanger,Lefèbvre,Müller,Schröder,Núñez,"
    "Rodríguez,Hernández,García,Peña,Muñoz,Jones,Smith,Nguyen,Tran,Kowalski,Øster,"
    "Van der Berg,MacLeod,McAllister,Al-Hassan,Okafor,Yamamoto,Chen,Patel,St-Pierre,"
    "Dubé,Fournier,Lévesque,Morin,Ibáñez,Castaño,Sørensen,Ångström,Åberg,Weiß"
).split(",")
COUNTRIES = ["US"] * 70 + ["CA"] * 15 + ["PR"] * 8 + ["MX", "GB", "FR", "BR", "IN", "DE", "PH"]
STATUSES = ["active"] * 70 + ["inactive"] * 8 + ["retired"] * 15 + ["separated"] * 7
TRUE_WORDS = ("true", "yes", "1", "Y", "TRUE")
FALSE_WORDS = ("false", "no", "0", "N", "")
LANGUAGES = ("en", "en", "en", "fr", "es", "")


def employee_id(i: int) -> str:
    # Multiplying by a number prime to 10**9 permutes 0..10**9-1: unique, shuffled IDs.
    number = (i * 2654435761 + 12345) % 10**9
    if i % 10 == 3:
        return f"OV{number:09d}"
    if i % 10 == 7:
        return f"MC{number:09d}"
    return f"{number:09d}"


def rows(n: int, seed: int = 20260101):
    rng = random.Random(seed)
    for i in range(n):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        status = rng.choice(STATUSES)
        plan_words = TRUE_WORDS if status == "retired" and rng.random() < 0.8 else FALSE_WORDS
        separation = ""
        if status == "separated" or (status == "inactive" and rng.random() < 0.1):
            separation = (
                f"{rng.randint(2012, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            )
        email = ""
        if rng.random() < 0.6:
            email = f"{letters_only(first)}.{letters_only(last)}{i}@example.com"
        yield (
            employee_id(i),
            first,
            last,
            rng.choice(LAST_NAMES) if rng.random() < 0.02 else "",
            rng.randint(1940, 2004),
            rng.choice(COUNTRIES),
            status,
            rng.choice(plan_words),
            separation,
            email,
            rng.choice(LANGUAGES),
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of people")
    parser.add_argument("out", help="output CSV path ('-' for standard output)")
    args = parser.parse_args(argv)
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")
    with out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows(args.n))


if __name__ == "__main__":
    main()
