"""Exit 0 when the PostgreSQL server of the given URL answers, 1 otherwise."""

import sys

import psycopg

try:
    with psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3):
        pass
except psycopg.OperationalError:
    sys.exit(1)
