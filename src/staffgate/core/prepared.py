"""Querysets compiled to SQL once per database connection, then run with other values.

Django compiles a queryset's SQL afresh every time it is evaluated. For the two
look-ups made on almost every request — the signed-in user with their roster person,
and the login's person, account and factor — the compiling costs more CPU than the
query itself (about 0.25 ms of 0.42 ms for the user with the person joined, measured
in-process on SQLite). :class:`PreparedQuery` compiles the queryset once, with marker
values standing for the parameters, and from then on only executes that SQL and builds
the model instances from the rows exactly as Django's own iterator does (converters,
``select_related`` objects, annotations).

No maintained package does this: query caches such as django-cachalot keep *results*,
which would hide a changed roster or password for as long as they are kept.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# Values that cannot come from a user stand for the parameters while compiling; each must
# come back unchanged among the compiled SQL's parameters, once.
_STR_MARKER = "\x00staffgate-parameter-{}\x00"
_INT_MARKER = -(2**62)


def _marker(kind: type, position: int):
    if kind is int:
        return _INT_MARKER - position
    if kind is str:
        return _STR_MARKER.format(position)
    raise TypeError(f"a prepared query takes str or int parameters, not {kind.__name__}")


@dataclass
class _Compiled:
    sql: str
    slots: list[tuple[bool, object]]  # (is a parameter, its position or the constant)
    compiler: object
    converters: dict
    model: type[Model]
    init_list: list[str]
    fields: slice
    populators: list
    annotations: dict[str, int]


class PreparedQuery:
    """``build(*values)`` is a queryset of model instances; calling this runs it for ``values``.

    ``kinds`` are the types of the values (``str`` or ``int``). The result is the list of
    instances, as ``list(build(*values))`` would give.
    """

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        self._build = build
        self._kinds = kinds
        self._model: type[Model] | None = None
        # One compiled form per connection object: Django keeps one per thread and database.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _template(self) -> QuerySet:
        return self._build(*(_marker(kind, i) for i, kind in enumerate(self._kinds)))

    def __call__(self, *values) -> list[Model]:
        if len(values) != len(self._kinds):
            raise TypeError(f"expected {len(self._kinds)} values, got {len(values)}")
        for value, kind in zip(values, self._kinds, strict=True):
            if not isinstance(value, kind):
                raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
        if self._model is None:
            self._model = self._template().model
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(self._template(), alias)
        params = [values[item] if is_value else item for is_value, item in compiled.slots]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return self._instances(compiled, rows, alias)

    def _compile(self, queryset: QuerySet, alias: str) -> _Compiled:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        markers = {_marker(k, i): i for i, k in enumerate(self._kinds)}
        slots = [(True, markers[p]) if p in markers else (False, p) for p in params]
        if sorted(i for is_value, i in slots if is_value) != list(range(len(self._kinds))):
            raise ValueError("each value must appear once among the query's parameters")
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        fields = slice(select_fields[0], select_fields[-1] + 1)
        return _Compiled(
            sql=sql,
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters(
                [column[0] for column in compiler.select[: compiler.col_count]]
            ),
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in compiler.select[fields]],
            fields=fields,
            populators=get_related_populators(klass_info, compiler.select, alias),
            annotations=dict(compiler.annotation_col_map or {}),
        )

    @staticmethod
    def _instances(compiled: _Compiled, rows: list, alias: str) -> list[Model]:
        found = []
        if compiled.converters:  # the database's own (SQLite's dates and booleans…)
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        for row in rows:
            instance = compiled.model.from_db(alias, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, instance)
            for name, position in compiled.annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found
