"""banking_knowledge's `TransactionalDB`: 23 tables of free-form records, as in τ²-bench.

Every table is `{"data": {record_id: record}, "notes": str}`; records are plain dicts the tools
read and change in place. db.json holds 17 of the tables; the other 6 start empty, exactly as
the reference's pydantic model fills them in. The reference hash is sha256 of
`json.dumps(full_dump, sort_keys=True, default=str)`; the dump keeps `1000` and `1000.0`
apart, so the tools' choice of int or float is part of the state.

A fresh copy is made by re-parsing the file's text (cheaper than a deep copy and guaranteed
to share nothing with other copies).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

TABLES: tuple[str, ...] = (
    "users", "accounts", "debit_cards", "referrals", "credit_card_applications",
    "user_discoverable_tools", "user_discoverable_tool_calls", "verification_history",
    "credit_card_transaction_history", "cash_back_disputes", "bank_account_transaction_history",
    "credit_card_accounts", "agent_discoverable_tools", "task_config", "human_transfer_requests",
    "transaction_disputes", "credit_card_orders", "debit_card_orders", "credit_card_closure_reasons",
    "credit_card_account_flags", "credit_limit_increase_requests", "payment_history", "debit_card_disputes",
)


class BankTable:
    """One table: `data` (record id -> record dict) and `notes`."""

    __slots__ = ("data", "notes")

    def __init__(self, data: dict[str, dict[str, Any]] | None = None, notes: str = "") -> None:
        self.data = data if data is not None else {}
        self.notes = notes

    def dump(self) -> dict[str, Any]:
        return {"data": self.data, "notes": self.notes}


def _merge(base: Any, patch: Any) -> Any:
    """addict's `update`: dicts merge key by key (existing keys keep their place, new keys
    are appended), anything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        for key, value in patch.items():
            base[key] = _merge(base[key], value) if key in base else _plain_copy(value)
        return base
    return _plain_copy(patch)


def _plain_copy(value: Any) -> Any:
    return json.loads(json.dumps(value)) if isinstance(value, (dict, list)) else value


class BankingDB:
    """A live, mutable TransactionalDB. Tables are attributes (`db.accounts.data[...]`)."""

    def __init__(self, raw: dict[str, Any], origin: str = "<data>") -> None:
        unknown = sorted(set(raw) - set(TABLES))
        if unknown:
            # The reference model forbids extra fields: such a file is not a banking DB.
            raise ValueError(f"{origin}: unknown table(s) {', '.join(unknown)}; expected some of {', '.join(TABLES)}")
        self._tables: dict[str, BankTable] = {}
        for name in TABLES:
            table = raw.get(name) or {}
            if not isinstance(table, dict) or not isinstance(table.get("data", {}), dict):
                raise ValueError(f"{origin}: table {name!r} must be {{\"data\": {{id: record}}, \"notes\": str}}")
            self._tables[name] = BankTable(dict(table.get("data", {})), str(table.get("notes", "")))
        self.origin = origin
        self.source: BankingDBSource | None = None

    def __getattr__(self, name: str) -> BankTable:
        tables = self.__dict__.get("_tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"TransactionalDB has no table {name!r}")

    def table(self, name: str) -> BankTable | None:
        """The table, or None for a name the schema lacks (the reference's getattr(db, name, None))."""
        return self._tables.get(name)

    # -- dumps, hash, comparison ------------------------------------------------------------
    def dump(self, *, exclude_none: bool = False) -> dict[str, Any]:  # noqa: ARG002 - records are free-form
        """The full reference dump (records are free-form, so db.json form is the same)."""
        return {name: table.dump() for name, table in self._tables.items()}

    def dump_json(self) -> str:
        return json.dumps(self.dump())

    def canonical_json(self) -> str:
        return json.dumps(self.dump(), sort_keys=True, default=str)

    def hash(self) -> str:
        """The reference's `get_db_hash()`."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()

    def same_state(self, other: BankingDB) -> bool:
        return self.canonical_json() == other.canonical_json()

    def changes(self) -> list[dict[str, Any]]:
        """Records that differ from the pristine DB, as in the test vectors: tables in schema
        order, records in this DB's order, then records that were removed; a changed `notes`
        is reported as a whole-table path."""
        if self.source is None:
            raise ValueError("this DB was not made from a source; nothing to compare with")
        pristine = self.source.fresh()
        out: list[dict[str, Any]] = []
        for name in TABLES:
            now, before = self._tables[name], pristine._tables[name]
            if now.notes != before.notes:
                out.append({"path": [name], "before": before.dump(), "after": now.dump()})
            keys = list(now.data) + [k for k in before.data if k not in now.data]
            for key in keys:
                a, b = before.data.get(key), now.data.get(key)
                if json.dumps(a, sort_keys=True, default=str) != json.dumps(b, sort_keys=True, default=str):
                    out.append({"path": [name, key], "before": a, "after": b})
        return out

    def update(self, patch: dict[str, Any]) -> None:
        """Deep-merge an `initialization_data.agent_data` patch (addict semantics)."""
        if not isinstance(patch, dict):
            raise ValueError("agent_data must be an object of tables")
        for name, value in patch.items():
            if name not in self._tables:
                raise ValueError(f"TransactionalDB has no table {name!r}")
            table = self._tables[name]
            merged = _merge(table.dump(), value)
            if not isinstance(merged, dict) or not isinstance(merged.get("data", {}), dict):
                raise ValueError(f"agent_data.{name} must be {{\"data\": {{id: record}}, \"notes\": str}}")
            table.data, table.notes = merged.get("data", {}), str(merged.get("notes", ""))


class BankingDBSource:
    """The pristine DB text, parsed anew for every fresh copy."""

    def __init__(self, text: str, origin: str) -> None:
        self.text = text
        self.origin = origin
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{origin} is not valid JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise ValueError(f"{origin}: a DB must be a JSON object")
        BankingDB(raw, origin)   # validate once, early

    @classmethod
    def load(cls, path: str | Path) -> BankingDBSource:
        path = Path(path)
        try:
            return cls(path.read_text(encoding="utf-8"), str(path))
        except FileNotFoundError:
            raise FileNotFoundError(f"DB file not found: {path}") from None

    def fresh(self) -> BankingDB:
        db = BankingDB(json.loads(self.text), self.origin)
        db.source = self
        return db
