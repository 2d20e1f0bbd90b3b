"""Lists that cost what they show: keyset pages merged from disjoint parts, counts that stop at a cap.

A list of "our" cases is the union of disjoint parts (an agency is the origin or the destination of a case,
never both: the case_agencies_differ constraint). Each part is read in the list's order from one index
(cases/models.py, TransferCase.Meta.indexes), the parts' first rows are merged, and the next page starts
after the last row shown (keyset pagination), so page 200 costs what page 1 does. A count reads at most
`cap` index entries per part: "1,000+" on a tab is cheaper than an exact count of a busy agency's history.

The merge compares the sort keys in Python: text keys (reference, name, status) must sort in the database
as Python sorts them, which holds for PostgreSQL's C and C.UTF-8 collations and SQLite's BINARY.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import total_ordering

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Expression, F, Q, QuerySet


@dataclass(frozen=True)
class Key:
    """One sort key: a field path, or a name for an expression the list annotates."""

    name: str
    descending: bool = False
    expression: Expression | None = None

    def order(self) -> object:
        ref = F(self.name)
        return ref.desc() if self.descending else ref.asc()

    def reversed(self) -> Key:
        return Key(self.name, not self.descending, self.expression)


@total_ordering
class _Reversed:
    """Wraps a value so that heapq.merge puts larger values first (a descending key)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value

    def __lt__(self, other: _Reversed) -> bool:
        return self.value > other.value

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass(frozen=True)
class Order:
    """A list's order; the last key must be unique (the primary key), so every row has one place."""

    keys: tuple[Key, ...]

    def reversed(self) -> Order:
        return Order(tuple(key.reversed() for key in self.keys))

    def apply(self, queryset: QuerySet) -> QuerySet:
        annotations = {key.name: key.expression for key in self.keys if key.expression is not None}
        if annotations:
            queryset = queryset.annotate(**annotations)
        return queryset.order_by(*(key.order() for key in self.keys))

    def values(self, row: object) -> tuple:
        """A row's sort values, in the order's keys."""
        found = []
        for key in self.keys:
            value = row
            for part in key.name.split("__"):
                value = getattr(value, part)
            found.append(value)
        return tuple(found)

    def merge_key(self, values: tuple) -> tuple:
        """Sort values (as values() gives them) made comparable in this order, descending keys included."""
        return tuple(_Reversed(value) if key.descending else value for key, value in zip(self.keys, values, strict=True))

    def after(self, values: Sequence[object]) -> Q:
        """Rows strictly after `values` in this order.

        The first key's bound comes first and alone, so that the database reads the index from there:
        (k1 > v1) or (k1 = v1 and (k2 > v2 or …)) is also written k1 >= v1 and (…).
        """
        condition = Q()
        for position in range(len(self.keys) - 1, -1, -1):
            key, value = self.keys[position], values[position]
            beyond = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
            condition = beyond if position == len(self.keys) - 1 else beyond | (Q(**{key.name: value}) & condition)
        first = self.keys[0]
        return Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": values[0]}) & condition


class BadCursor(ValueError):
    pass


def encode_cursor(values: Sequence[object]) -> str:
    def plain(value: object) -> object:
        if isinstance(value, dt.datetime):
            return {"t": value.isoformat()}
        if isinstance(value, dt.date):
            return {"d": value.isoformat()}
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order) -> tuple:
    """The sort values a cursor names; anything else (edited, truncated, from another order) is BadCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        items = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if not isinstance(items, list) or len(items) != len(order.keys):
        raise BadCursor(cursor)
    values = []
    try:
        for item in items:
            if isinstance(item, dict) and set(item) == {"t"}:
                values.append(dt.datetime.fromisoformat(item["t"]))
            elif isinstance(item, dict) and set(item) == {"d"}:
                values.append(dt.date.fromisoformat(item["d"]))
            elif isinstance(item, str | int) and not isinstance(item, bool):
                values.append(item)
            else:
                raise BadCursor(cursor)
    except (TypeError, ValueError):
        raise BadCursor(cursor) from None
    return tuple(values)


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool
    has_previous: bool
    next_cursor: str | None
    previous_cursor: str | None

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def page(
    parts: Sequence[QuerySet], order: Order, *, size: int, after: str = "", before: str = "", number: int = 1,
) -> Page:
    """One page of the union of the parts: after a cursor, before one, or (no cursor) page `number` by offset.

    An offset page reads `number × size` keys per part; the links of every page carry cursors, so only a
    page number typed by hand pays that. With several parts only the sort keys are read from each, and the
    rows shown are then fetched by primary key: building every part's candidate rows would cost more.
    """
    forward = not before
    read_order = order if forward else order.reversed()
    if after or before:
        condition = read_order.after(decode_cursor(after or before, order))
        parts = [part.filter(condition) for part in parts]
        offset, number = 0, max(number, 2 if after else 1)
    else:
        offset = (number - 1) * size
    if len(parts) == 1:
        rows = list(read_order.apply(parts[0])[offset: offset + size + 1])
        keys = [order.values(row) for row in rows]
    else:
        names = [key.name for key in order.keys]
        chunks = [list(read_order.apply(part).values_list(*names)[: offset + size + 1]) for part in parts]
        keys = list(heapq.merge(*chunks, key=read_order.merge_key))[offset: offset + size + 1]
        shown = {row.pk: row for row in _rows_by_pk(parts[0], [key[-1] for key in keys[:size]])} if keys else {}
        rows = [shown[key[-1]] for key in keys[:size]]
    more = len(keys) > size
    rows, keys = rows[:size], keys[:size]
    if not forward:
        rows.reverse()
        keys.reverse()
    has_next, has_previous = (more, number > 1) if forward else (True, more)
    return Page(
        rows=rows, number=number, has_next=has_next and bool(rows), has_previous=has_previous and bool(rows),
        next_cursor=encode_cursor(keys[-1]) if keys else None,
        previous_cursor=encode_cursor(keys[0]) if keys else None,
    )


def _rows_by_pk(part: QuerySet, pks: list[int]) -> list:
    """The rows themselves, with what the part selects alongside (select_related), whatever its filters."""
    rows = part.model._default_manager.filter(pk__in=pks)
    if part.query.select_related:
        rows = rows.select_related(*_related_paths(part.query.select_related))
    # And what a model's queryset fetches after the rows (TransferCaseQuerySet.with_list_related: the agencies).
    if hasattr(part, "_with_agencies"):
        rows._with_agencies = part._with_agencies
    return list(rows)


def _related_paths(tree: dict | bool, prefix: str = "") -> list[str]:
    if not isinstance(tree, dict):
        return []
    paths = []
    for name, subtree in tree.items():
        path = f"{prefix}{name}"
        deeper = _related_paths(subtree, f"{path}__")
        paths.extend(deeper or [path])
    return paths


@dataclass(frozen=True, eq=False)
class BoundedCount:
    """A count that stopped at the cap: `value` is exact when not `capped`, a floor otherwise.

    It equals a number only when it is exact.
    """

    value: int
    capped: bool

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BoundedCount):
            return (self.value, self.capped) == (other.value, other.capped)
        return not self.capped and self.value == other

    def __hash__(self) -> int:
        return hash((self.value, self.capped))

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.capped else f"{self.value:,}"

    def __bool__(self) -> bool:
        return self.value > 0


def bounded_counts(lists: dict[str, Sequence[QuerySet]], cap: int) -> dict[str, BoundedCount]:
    """Every list's count in one query, each reading at most cap + 1 index entries over all its parts."""
    selects, params = [], []
    for parts in lists.values():
        compiled = []
        for part in parts:
            try:
                sql, part_params = part.order_by().values("pk")[: cap + 1].query.sql_with_params()
            except EmptyResultSet:  # e.g. a search that matched nothing
                continue
            compiled.append(f"SELECT * FROM ({sql}) AS part{len(compiled)}")  # noqa: S608
            params.extend(part_params)
        # Django compiled every part; its values stay parameters. UNION ALL stops reading at the limit.
        selects.append(
            f"(SELECT COUNT(*) FROM ({' UNION ALL '.join(compiled)} LIMIT {cap + 1}) AS parts)"  # noqa: S608
            if compiled else "0"
        )
    if not selects:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        found = cursor.fetchone()
    return {
        name: BoundedCount(min(value, cap), value > cap) for name, value in zip(lists, found, strict=True)
    }
