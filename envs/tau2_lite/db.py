"""Domain databases: pydantic schemas, copy-on-access live copies, reference-exact hashing.

A domain declares its DB as a pydantic model whose `dict[str, Record]` fields are *tables*:

    class RetailDB(DB):
        products: dict[str, Product]
        users: dict[str, User]
        orders: dict[str, Order]

The parsed file is held once per process as a `DBSource` (plain JSON records, never mutated).
`source.fresh()` returns a `LiveDB` in O(number of tables): each table validates a record into
its own pydantic object the first time it is fetched (`db.orders[oid]`, `items()`), and tools
then mutate that object in place, as in τ²-bench. Pure reads can skip the copy with
`table.peek(key)` and `table.scan()`, which hand out shared read-only records. Because only the touched records are ever
copied, two DBs can be compared, and the reference hash computed, from cached per-record
canonical JSON — exact, and without dumping and hashing the whole DB twice.

Forms (as in τ²-bench): the *full dump* is `model_dump()` (unset optionals as null) and is
what the reference hashes; the *db.json form* drops null-valued keys (`exclude_none`).
The hash is sha256 of `json.dumps(full_dump, sort_keys=True, default=str)`.
"""
from __future__ import annotations

import hashlib
import json
import typing
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

R = TypeVar("R", bound=BaseModel)


def canonical(value: Any) -> str:
    """The reference's hashing serialisation of one value."""
    return json.dumps(value, sort_keys=True, default=str)


def deep_update(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Merge `patch` into `base` recursively (dicts merge, anything else replaces)."""
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_update(out[key], value)
        else:
            out[key] = value
    return out


class DB(BaseModel):
    """Base of a domain DB schema. Fields typed `dict[str, SomeModel]` are tables."""

    @classmethod
    def tables(cls) -> dict[str, type[BaseModel]]:
        """Table field name -> record model."""
        out: dict[str, type[BaseModel]] = {}
        for name, info in cls.model_fields.items():
            ann = info.annotation
            if typing.get_origin(ann) is dict:
                key_t, val_t = typing.get_args(ann)
                if key_t is str and isinstance(val_t, type) and issubclass(val_t, BaseModel):
                    out[name] = val_t
        return out

    @classmethod
    def load(cls, path: str | Path) -> DBSource:
        """Parse a db.json file into a shared source (see `DBSource.fresh`)."""
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"DB file not found: {path}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON: {exc}") from None
        return DBSource(cls, raw, origin=str(path))


class _Blank:
    """Marker for 'record absent'."""


_ABSENT = _Blank()


class DBSource:
    """The pristine data of one DB, shared read-only by every live copy made from it."""

    def __init__(self, schema: type[DB], raw: dict[str, Any], origin: str = "<data>") -> None:
        if not isinstance(raw, dict):
            raise ValueError(f"{origin}: a DB must be a JSON object, got {type(raw).__name__}")
        self.schema = schema
        self.origin = origin
        self.table_models = schema.tables()
        missing = [n for n, f in schema.model_fields.items() if f.is_required() and n not in raw]
        if missing:
            raise ValueError(f"{origin}: missing DB field(s) {', '.join(missing)}")
        self.raw_tables: dict[str, dict[str, Any]] = {}
        self.fields: dict[str, Any] = {}       # non-table fields, validated eagerly (small)
        for name, info in schema.model_fields.items():
            value = raw.get(name, _ABSENT)
            if name in self.table_models:
                self.raw_tables[name] = {} if value is _ABSENT else dict(value)
            else:
                self.fields[name] = value
        # Validate non-table fields once (the model fills their defaults).
        probe = schema.model_validate({k: v for k, v in self.fields.items() if v is not _ABSENT}
                                      | {t: {} for t in self.table_models})
        self.fields = {k: getattr(probe, k) for k in self.fields}
        self._canon: dict[tuple[str, str], str] = {}
        self._form: dict[tuple[str, str], str] = {}
        self._shared: dict[str, dict[str, BaseModel]] = {t: {} for t in self.table_models}
        self._shared_full: dict[str, dict[str, BaseModel]] = {}

    @classmethod
    def from_model(cls, db: DB) -> DBSource:
        """A source from an in-memory DB instance (generated domains)."""
        return cls(type(db), db.model_dump(), origin=f"<{type(db).__name__}>")

    def validate_all(self) -> None:
        """Validate every record now (loaders call this to fail early on bad data)."""
        for table, records in self.raw_tables.items():
            model = self.table_models[table]
            for key, rec in records.items():
                try:
                    model.model_validate(rec)
                except ValidationError as exc:
                    raise ValueError(f"{self.origin}: record {table}[{key!r}] is invalid: {exc}") from None

    def record(self, table: str, key: str) -> BaseModel:
        """A new validated object of a pristine record."""
        return self.table_models[table].model_validate(self.raw_tables[table][key])

    def shared_record(self, table: str, key: str) -> BaseModel:
        """The one validated object of a pristine record that every live copy reads through
        `Table.peek`/`Table.scan`. Never mutate it."""
        cache = self._shared[table]
        rec = cache.get(key)
        if rec is None:
            rec = cache[key] = self.record(table, key)
        return rec

    def shared_table(self, table: str) -> dict[str, BaseModel]:
        """All shared pristine records of a table, in source order (built once)."""
        full = self._shared_full.get(table)
        if full is None:
            full = self._shared_full[table] = {k: self.shared_record(table, k) for k in self.raw_tables[table]}
        return full

    def canonical_record(self, table: str, key: str) -> str:
        """Cached canonical JSON of a pristine record's full dump."""
        cached = self._canon.get((table, key))
        if cached is None:
            cached = canonical(self.record(table, key).model_dump())
            self._canon[(table, key)] = cached
        return cached

    def form_record_json(self, table: str, key: str) -> str:
        """Cached `json.dumps` of a pristine record in db.json form."""
        cached = self._form.get((table, key))
        if cached is None:
            cached = json.dumps(self.record(table, key).model_dump(exclude_none=True))
            self._form[(table, key)] = cached
        return cached

    def fresh(self) -> LiveDB:
        return LiveDB(self)


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
        import copy
        return copy.deepcopy(value)
    return value
