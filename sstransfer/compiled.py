"""Queries of a fixed shape compiled to SQL once per database connection, then run with each call's values.

Django compiles a queryset to SQL on every evaluation. For the public status lookup (a case joined to its worker
and its applicant) that took ~2.5 ms of CPU per request against 0.07 ms for PostgreSQL to answer the prepared
statement (docs/bench.md). A query whose shape never changes, only its values, needs compiling once.

`compiled(build)` wraps a function that builds a queryset from its arguments. The first call on a connection
builds it with placeholder values, compiles it and notes where each placeholder landed among the statement's
parameters; every later call puts its own values there and runs the same SQL. The SQL text stays identical, so
PostgreSQL's prepared statement (settings.DATABASE_PREPARE_THRESHOLD) is reused too.

What `build` may do: filter on its arguments with exact lookups (each argument a str or an int, passed to the
database unchanged), select_related, only/defer, order_by, a fixed slice. It is refused on the first call (so in
the tests, not in production) when an argument is transformed on its way to the database (icontains, a date) or
never reaches it, when it asks for values()/prefetch_related or select_for_update(), or when it picks a
database with using(): the database is the router's choice for the model, as for any read. Every call's values
must be str or int (None is refused: the ORM would have written IS NULL), and `build` must not let a constant of
the query depend on the language or the day: it is compiled once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

M = TypeVar("M", bound=Model)

_placeholder_serial = itertools.count()


class NotCompilable(TypeError):
    """`build` made a query whose values cannot be swapped in the compiled SQL (see the module's docstring)."""


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    # For each parameter, the index of the call's argument that fills it, or None for a constant of the query.
    slots: tuple[int | None, ...]
    populate: Callable[[list], list]

    def params_for(self, values: tuple) -> list:
        return [self.params[i] if slot is None else values[slot] for i, slot in enumerate(self.slots)]


class CompiledQuery(Generic[M]):
    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self._build = build
        self._model: type[Model] | None = None

    def __call__(self, *values: str | int) -> list[M]:
        """The query's rows for these values, as the queryset would give them."""
        self._check(values)
        if self._model is None:
            self._model = self._build(*self._placeholders(values)).model
        db = router.db_for_read(self._model)
        connection = connections[db]
        # Kept on the connection object (one per thread and database), so that they go with it.
        statements = connection.__dict__.setdefault("_compiled_statements", {})
        statement = statements.get(self)
        if statement is None:
            statement = statements[self] = self._compile(db, values)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params_for(values))
            rows = cursor.fetchall()
        return statement.populate(rows)

    @staticmethod
    def _check(values: tuple) -> None:
        # On every call: None would be sent as `= NULL`, where the ORM writes IS NULL.
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise NotCompilable(f"only str and int values can be compiled, not {type(value).__name__}")

    @staticmethod
    def _placeholders(values: tuple) -> list[str | int]:
        placeholders: list[str | int] = []
        for value in values:
            serial = next(_placeholder_serial)
            # An int within every integer field's range (a value outside one compiles to an empty query); a str
            # that any strip(), upper() or lower() on its way would change.
            placeholders.append(1000 + serial % 30000 if isinstance(value, int) else f" Placeholder-{serial} ")
        return placeholders

    def _compile(self, db: str, values: tuple) -> _Statement:
        # Compiled twice with different placeholders: a parameter that changes with them is an argument's slot, one
        # that does not is the query's own constant, and SQL that changes means the shape depends on the values.
        first, second = self._placeholders(values), self._placeholders(values)
        compiler, sql, params = self._compiler(db, first)
        _, other_sql, other_params = self._compiler(db, second)
        if sql != other_sql or len(params) != len(other_params):
            raise NotCompilable("the query's SQL depends on its values")
        in_first = {placeholder: index for index, placeholder in enumerate(first)}
        in_second = {placeholder: index for index, placeholder in enumerate(second)}
        slots: list[int | None] = []
        for param, other in zip(params, other_params, strict=True):
            if param == other:
                slots.append(None)
                continue
            slot = in_first.get(param) if isinstance(param, int | str) else None
            if slot is None or slot != in_second.get(other):
                raise NotCompilable("an argument reaches the database transformed (a lookup other than exact?)")
            slots.append(slot)
        if set(range(len(values))) - set(slots):
            raise NotCompilable("an argument never reaches the database")
        return _Statement(sql, tuple(params), tuple(slots), _populator(compiler, db))

    def _compiler(self, db: str, placeholders: list) -> tuple[object, str, list]:
        queryset = self._build(*placeholders)
        if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
            raise NotCompilable("only a queryset of model instances without prefetch_related can be compiled")
        if queryset._db is not None:
            raise NotCompilable("a compiled query reads where the router sends its model; leave out using()")
        if queryset._for_write or queryset.query.select_for_update:
            raise NotCompilable("a compiled query only reads: no select_for_update()")
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        return compiler, sql, list(params)


def _populator(compiler, db: str) -> Callable[[list], list]:
    """Model instances from the compiled query's rows, as Django's ModelIterable makes them."""
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model_cls = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    related_populators = get_related_populators(klass_info, select, db)
    trim = compiler.col_count if compiler.has_extra_select else None

    def populate(rows: list) -> list:
        if trim is not None:
            rows = [row[:trim] for row in rows]
        instances = []
        for row in compiler.results_iter(results=[rows]):
            instance = model_cls.from_db(db, init_list, row[start:end])
            for related in related_populators:
                related.populate(row, instance)
            for name, column in annotation_col_map.items():
                setattr(instance, name, row[column])
            instances.append(instance)
        return instances

    return populate


def compiled(build: Callable[..., QuerySet[M]]) -> CompiledQuery[M]:
    return CompiledQuery(build)


def as_prefetched(instance: Model, related_name: str, objects: list[Model]) -> None:
    """`objects` as `instance.<related_name>.all()`, the way prefetch_related leaves them: each knows its instance,
    and the manager's all() asks the database no more (filtering it still does, as after prefetch_related)."""
    manager = getattr(instance, related_name)
    for related in objects:
        manager.field.set_cached_value(related, instance)
    queryset = manager.get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[manager.field.remote_field.cache_name] = queryset
