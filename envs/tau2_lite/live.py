"""Live (mutable) DB copies: tables that copy records on first access, and the DB around them.

See db.py for the design; `DBSource.fresh()` builds a `LiveDB`.
"""
from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator, MutableMapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from envs.tau2_lite.db import DB, DBSource, canonical, deep_update

R = TypeVar("R", bound=BaseModel)


class Table(MutableMapping[str, R], Generic[R]):
    """One table of a live DB: records are copied from the source on first access."""

    def __init__(self, source: DBSource, name: str) -> None:
        self._source = source
        self._name = name
        self._model = source.table_models[name]
        self._raw = source.raw_tables[name]
        self._live: dict[str, R] = {}
        self._keys: dict[str, None] | None = None      # None: same keys as the source
        self.touched: set[str] = set()                  # keys copied, set or deleted

    def _keyset(self) -> dict[str, None]:
        if self._keys is None:
            self._keys = dict.fromkeys(self._raw)
        return self._keys

    def __getitem__(self, key: str) -> R:
        rec = self._live.get(key)
        if rec is not None:
            return rec
        if key not in (self._raw if self._keys is None else self._keys):
            raise KeyError(key)
        rec = self._model.model_validate(self._raw[key])  # type: ignore[assignment]
        self._live[key] = rec
        self.touched.add(key)
        return rec

    def peek(self, key: str) -> R:
        """Read-only access without copying: the live record if this DB copied it, else the
        shared pristine one. Use `table[key]` for anything you might modify."""
        rec = self._live.get(key)
        if rec is not None:
            return rec
        if key not in (self._raw if self._keys is None else self._keys):
            raise KeyError(key)
        return self._source.shared_record(self._name, key)  # type: ignore[return-value]

    def scan(self) -> Iterator[tuple[str, R]]:
        """Read-only iteration over (key, record) in table order, without copying (see
        `peek`). Scanning the 500 retail users this way costs microseconds; `items()` would
        copy each of them."""
        full = self._source.shared_table(self._name)
        live = self._live
        if self._keys is None:
            if not live:
                return iter(full.items())  # type: ignore[arg-type]
            return ((k, live.get(k, r)) for k, r in full.items())  # type: ignore[misc]
        return ((k, live[k] if k in live else full[k]) for k in list(self._keys))  # type: ignore[misc]

    def __setitem__(self, key: str, value: R) -> None:
        if not isinstance(value, self._model):
            value = self._model.model_validate(value)  # type: ignore[assignment]
        self._keyset()[key] = None
        self._live[key] = value
        self.touched.add(key)

    def __delitem__(self, key: str) -> None:
        keys = self._keyset()
        if key not in keys:
            raise KeyError(key)
        del keys[key]
        self._live.pop(key, None)
        self.touched.add(key)

    def __contains__(self, key: object) -> bool:
        return key in (self._raw if self._keys is None else self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._raw if self._keys is None else self._keys))

    def __len__(self) -> int:
        return len(self._raw if self._keys is None else self._keys)

    def __repr__(self) -> str:
        return f"<Table {self._name}: {len(self)} records, {len(self.touched)} touched>"

    # -- comparison and dumps ------------------------------------------------------------
    def canonical_of(self, key: str) -> str | None:
        """Canonical full-dump JSON of a record in this table, None if absent."""
        if key not in self:
            return None
        if key in self._live:
            return canonical(self._live[key].model_dump())
        return self._source.canonical_record(self._name, key)

    def form_json_of(self, key: str) -> str:
        """`json.dumps` of a present record in db.json form (cached when untouched)."""
        if key in self._live:
            return json.dumps(self._live[key].model_dump(exclude_none=True))
        return self._source.form_record_json(self._name, key)

    def dump_record(self, key: str, *, exclude_none: bool = False) -> dict[str, Any] | None:
        if key not in self:
            return None
        rec = self._live[key] if key in self._live else self._source.record(self._name, key)
        return rec.model_dump(exclude_none=exclude_none)


class LiveDB:
    """A mutable DB copy. Tables are attributes (`db.orders`); other fields too."""

    def __init__(self, source: DBSource) -> None:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "_tables", {n: Table(source, n) for n in source.table_models})
        object.__setattr__(self, "_fields", dict(source.fields))
        object.__setattr__(self, "_fields_touched", set())

    @property
    def schema(self) -> type[DB]:
        return self.source.schema

    def __getattr__(self, name: str) -> Any:
        tables = object.__getattribute__(self, "_tables")
        if name in tables:
            return tables[name]
        fields = object.__getattribute__(self, "_fields")
        if name in fields:
            # Non-table fields may be mutated in place: copy once and remember.
            touched = object.__getattribute__(self, "_fields_touched")
            if name not in touched:
                fields[name] = _copy_value(fields[name])
                touched.add(name)
            return fields[name]
        raise AttributeError(f"{self.schema.__name__} has no field {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._tables:
            raise AttributeError(f"table {name!r} cannot be replaced; set its records instead")
        if name not in self._fields:
            raise AttributeError(f"{self.schema.__name__} has no field {name!r}")
        self._fields[name] = value
        self._fields_touched.add(name)

    def tables(self) -> dict[str, Table]:
        return dict(self._tables)

    # -- dumps and hash ------------------------------------------------------------------
    def _field_canonical(self, name: str) -> str:
        return canonical(_dump_value(self._fields[name]))

    def canonical_json(self) -> str:
        """`json.dumps(full_dump, sort_keys=True, default=str)`, built from cached parts."""
        parts: list[str] = []
        for name in sorted(self.schema.model_fields):
            if name in self._tables:
                table = self._tables[name]
                body = ", ".join(f"{json.dumps(k)}: {table.canonical_of(k)}" for k in sorted(table))
                parts.append(f"{json.dumps(name)}: {{{body}}}")
            else:
                parts.append(f"{json.dumps(name)}: {self._field_canonical(name)}")
        return "{" + ", ".join(parts) + "}"

    def hash(self) -> str:
        """The reference's `get_db_hash()`."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()

    def dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """The whole DB: full reference dump, or db.json form with `exclude_none=True`."""
        out: dict[str, Any] = {}
        for name in self.schema.model_fields:
            if name in self._tables:
                table = self._tables[name]
                out[name] = {k: table.dump_record(k, exclude_none=exclude_none) for k in table}
            else:
                out[name] = _dump_value(self._fields[name], exclude_none=exclude_none)
        return out

    def dump_json(self) -> str:
        """`json.dumps(self.dump(exclude_none=True))` (the db.json layout), from cached parts."""
        parts = []
        for name in self.schema.model_fields:
            if name in self._tables:
                table = self._tables[name]
                body = ", ".join(f"{json.dumps(k)}: {table.form_json_of(k)}" for k in table)
                parts.append(f"{json.dumps(name)}: {{{body}}}")
            else:
                parts.append(f"{json.dumps(name)}: {json.dumps(_dump_value(self._fields[name], exclude_none=True))}")
        return "{" + ", ".join(parts) + "}"

    # -- changes -------------------------------------------------------------------------
    def candidate_paths(self) -> set[tuple[str, ...]]:
        """Paths that may differ from the source: touched records and fields."""
        paths: set[tuple[str, ...]] = {(n,) for n in self._fields_touched}
        for name, table in self._tables.items():
            paths.update((name, k) for k in table.touched)
        return paths

    def canonical_at(self, path: tuple[str, ...]) -> str | None:
        if len(path) == 1:
            return self._field_canonical(path[0])
        return self._tables[path[0]].canonical_of(path[1])

    def changes(self) -> list[dict[str, Any]]:
        """Records that differ from the source, in db.json form (as in the test vectors):
        in schema field order, records in the source's key order, new records last."""
        pristine = self.source.fresh()
        out = []
        for path in self._ordered_paths(self.candidate_paths()):
            if self.canonical_at(path) == pristine.canonical_at(path):
                continue
            out.append({"path": list(path), "before": pristine.form_at(path), "after": self.form_at(path)})
        return out

    def changes_from(self, source: DBSource) -> list[dict[str, Any]]:
        """Changes against a source; against another schema's source (a user toolkit that
        now shares the agent's DB) whole top-level fields are compared, as paths `[field]`."""
        if source is self.source:
            return self.changes()
        before = source.fresh().dump(exclude_none=True)
        after = self.dump(exclude_none=True)
        names = list(before) + [n for n in after if n not in before]
        return [{"path": [n], "before": before.get(n), "after": after.get(n)} for n in names
                if canonical(before.get(n)) != canonical(after.get(n))]

    def _ordered_paths(self, paths: set[tuple[str, ...]]) -> list[tuple[str, ...]]:
        fields = list(self.schema.model_fields)
        ordered: list[tuple[str, ...]] = []
        for name in fields:
            if (name,) in paths:
                ordered.append((name,))
            if name not in self._tables:
                continue
            keys = {p[1] for p in paths if len(p) == 2 and p[0] == name}
            raw = self.source.raw_tables[name]
            live_order = {k: i for i, k in enumerate(self._tables[name])}
            rank = {k: i for i, k in enumerate(raw)}
            ordered.extend((name, k) for k in sorted(
                keys, key=lambda k: (0, rank[k]) if k in rank else (1, live_order.get(k, len(live_order)))))
        return ordered

    def form_at(self, path: tuple[str, ...]) -> Any:
        if len(path) == 1:
            return _dump_value(self._fields[path[0]], exclude_none=True)
        return self._tables[path[0]].dump_record(path[1], exclude_none=True)

    def same_state(self, other: LiveDB) -> bool:
        """Exactly `self.hash() == other.hash()` for DBs of one source, comparing only what
        either side touched."""
        if other.source is not self.source:
            return self.hash() == other.hash()
        for path in self.candidate_paths() | other.candidate_paths():
            if self.canonical_at(path) != other.canonical_at(path):
                return False
        return True

    def update(self, patch: dict[str, Any]) -> None:
        """Deep-merge `patch` into the DB (τ²-bench's `initialization_data`)."""
        for name, value in patch.items():
            if name in self._tables:
                table = self._tables[name]
                if not isinstance(value, dict):
                    raise ValueError(f"update of table {name!r} must be an object of records")
                for key, rec_patch in value.items():
                    base = table.dump_record(key) or {}
                    merged = deep_update(base, rec_patch) if isinstance(rec_patch, dict) else rec_patch
                    table[key] = merged
            elif name in self._fields:
                current = _dump_value(self._fields[name])
                merged = deep_update(current, value) if isinstance(value, dict) and isinstance(current, dict) else value
                probe = self.schema.model_validate({name: merged} | {t: {} for t in self._tables}
                                                   | {f: _dump_value(v) for f, v in self._fields.items() if f != name})
                self._fields[name] = getattr(probe, name)
                self._fields_touched.add(name)
            else:
                raise ValueError(f"{self.schema.__name__} has no field {name!r}")


def _dump_value(value: Any, exclude_none: bool = False) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_none=exclude_none)
    if isinstance(value, dict):
        return {k: _dump_value(v, exclude_none) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump_value(v, exclude_none) for v in value]
    return value


def _copy_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_copy(deep=True)
    if isinstance(value, (dict, list)):
        return copy.deepcopy(value)
    return value
