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

import json
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from envs.tau2_lite.live import LiveDB


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
                if value is not _ABSENT and not isinstance(value, dict):
                    raise ValueError(f"{origin}: {name} must be an object of records keyed by id, "
                                     f"got {type(value).__name__}")
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
        self._shared_ids: dict[int, BaseModel] = {}   # id -> shared record (kept alive here)
        self._encoded: dict[int, str] = {}            # id of a shared record -> tool output

    @classmethod
    def from_model(cls, db: DB) -> DBSource:
        """A source from an in-memory DB instance (generated domains)."""
        return cls(type(db), db.model_dump(), origin=f"<{type(db).__name__}>")

    def validate_all(self) -> None:
        """Validate every record now (loaders call this to fail early on bad data); the
        validated records become the shared read-only ones (see `shared_record`)."""
        for table, records in self.raw_tables.items():
            model, cache = self.table_models[table], self._shared[table]
            for key, rec in records.items():
                if key in cache:
                    continue
                try:
                    cache[key] = obj = model.model_validate(rec)
                except ValidationError as exc:
                    raise ValueError(f"{self.origin}: record {table}[{key!r}] is invalid: {exc}") from None
                self._shared_ids[id(obj)] = obj

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
            self._shared_ids[id(rec)] = rec
        return rec

    def shared_encoding(self, obj: Any, encode: Callable[[Any], str]) -> str | None:
        """`encode(obj)`, cached, if `obj` is one of the shared records (which never change);
        None for anything else."""
        if self._shared_ids.get(id(obj)) is not obj:
            return None
        text = self._encoded.get(id(obj))
        if text is None:
            text = self._encoded[id(obj)] = encode(obj)
        return text

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
        """A new mutable copy (O(number of tables); records are copied on first access)."""
        from envs.tau2_lite.live import LiveDB
        return LiveDB(self)
