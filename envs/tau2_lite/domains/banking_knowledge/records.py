"""Record queries, inserts and deterministic ids of banking_knowledge, as the reference does them.

`query_table` renders matches in the reference's text form:

    Found 2 record(s) in 'accounts':
    <blank>
    1. Record ID: chk_1
       field: value          (Python str() of the value, fields in record order)
    <blank>

Constraints are `{"field": value}` or `{"field__op": value}` with op one of eq, ne, gt, gte,
lt, lte, contains, startswith, endswith, in, nin; a comparison that raises counts as no match.
"""
from __future__ import annotations

import hashlib
import json
import operator
from datetime import date, datetime
from typing import Any, Callable

from envs.tau2_lite.domains.banking_knowledge.db import BankingDB

# The domain's fixed clock (all scenarios happen at this moment).
TODAY = date(2025, 11, 14)
NOW = datetime(2025, 11, 14, 3, 40, 0)
TODAY_STR = TODAY.strftime("%m/%d/%Y")

# Tables the query helper knows; `interest_discrepancy_reports` is not among them (or among
# the DB's tables), so inserting there silently does nothing, as in the reference.
QUERYABLE = (
    "users", "accounts", "referrals", "credit_card_applications", "user_discoverable_tools",
    "user_discoverable_tool_calls", "agent_discoverable_tools", "task_config", "verification_history",
    "credit_card_transaction_history", "cash_back_disputes", "bank_account_transaction_history",
    "credit_card_accounts", "human_transfer_requests", "transaction_disputes", "credit_card_orders",
    "credit_card_closure_reasons", "credit_card_account_flags", "debit_cards", "debit_card_orders",
    "debit_card_disputes", "credit_limit_increase_requests", "payment_history",
)

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gte": operator.ge,
    "lt": operator.lt, "lte": operator.le,
    "contains": lambda a, b: b in a if a is not None else False,
    "startswith": lambda a, b: str(a).startswith(str(b)) if a is not None else False,
    "endswith": lambda a, b: str(a).endswith(str(b)) if a is not None else False,
    "in": lambda a, b: a in b,
    "nin": lambda a, b: a not in b,
}


def _matches(record: dict[str, Any], constraints: dict[str, Any]) -> bool:
    for key, expected in constraints.items():
        field, op = key.rsplit("__", 1) if "__" in key else (key, "eq")
        compare = _OPS.get(op, operator.eq)
        try:
            if not compare(record.get(field), expected):
                return False
        except (TypeError, ValueError):
            return False
    return True


def find(db: BankingDB, table: str, **constraints: Any) -> list[tuple[str, dict[str, Any]]]:
    """(record id, record) of every matching record, in table order."""
    tab = db.table(table) if table in QUERYABLE else None
    if tab is None:
        return []
    return [(rid, rec) for rid, rec in tab.data.items() if _matches(rec, constraints)]


def format_records(table: str, rows: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [f"Found {len(rows)} record(s) in '{table}':\n"]
    for i, (rid, rec) in enumerate(rows, 1):
        lines.append(f"{i}. Record ID: {rid}")
        lines.extend(f"   {field}: {value}" for field, value in rec.items())
        lines.append("")
    return "\n".join(lines)


def query_table(db: BankingDB, table: str, constraints: str = "{}") -> str:
    """The reference's `query_database_tool`: constraints come as a JSON text."""
    try:
        if table not in QUERYABLE:
            return f"Error: Database '{table}' not found. Available: {list(QUERYABLE)}"
        try:
            parsed = json.loads(constraints) if constraints else {}
        except json.JSONDecodeError as exc:
            return f"Error: Invalid JSON: {exc}"
        rows = find(db, table, **parsed)
        if not rows:
            return f"No records found in '{table}'."
        return format_records(table, rows)
    except Exception as exc:  # noqa: BLE001 - the reference reports any failure as text
        return f"Error querying database: {exc}"


def query_by(db: BankingDB, table: str, field: str, value: str) -> str:
    """`query_table` with the one-field constraint the reference builds by string formatting
    (`'{"field": "value"}'`), so a value with a quote gives the same JSON error."""
    return query_table(db, table, f'{{"{field}": "{value}"}}')


def no_records(text: str) -> bool:
    return "No records found" in text or "No results found" in text


def add_record(db: BankingDB, table: str, record_id: str, record: dict[str, Any]) -> bool:
    """Insert a record; False if the table does not exist or the id is taken."""
    tab = db.table(table)
    if tab is None or record_id in tab.data:
        return False
    tab.data[record_id] = record
    return True


def update_record(db: BankingDB, table: str, record_id: str, updates: dict[str, Any]) -> bool:
    tab = db.table(table)
    if tab is None or record_id not in tab.data:
        return False
    tab.data[record_id].update(updates)
    return True


# -- deterministic ids (sha256 of a seed text) ---------------------------------------------
def hex_id(seed: str, length: int = 16) -> str:
    return hashlib.sha256(seed.encode()).digest()[: length // 2].hex()


def transaction_id(user_id: str, card_type: str, merchant: str, amount: float, category: str) -> str:
    return "txn_" + hex_id(":".join(["transaction", user_id, card_type, merchant, f"{amount:.2f}", category]), 12)


def referral_id(referrer_id: str, account_type: str) -> str:
    return hex_id(f"referral:{referrer_id}:{account_type}")


def application_id(card_type: str, name: str, income: float, subscription: bool) -> str:
    return hex_id(f"credit_card:{card_type}:{name}:{income}:{subscription}")


def verification_id(user_id: str, time_verified: str) -> str:
    return f"{user_id}_" + time_verified.replace(" ", "_").replace(":", "").replace("-", "")


def user_tool_id(tool_name: str) -> str:
    return hex_id(f"user_discoverable_tool:{tool_name}")


def user_tool_call_id(tool_name: str, arguments: dict[str, Any]) -> str:
    return hex_id(f"user_discoverable_tool_call:{tool_name}:{json.dumps(arguments, sort_keys=True)}")


def agent_tool_id(tool_name: str) -> str:
    return hex_id(f"agent_discoverable_tool:{tool_name}")


def dispute_id(user_id: str, txn_id: str) -> str:
    return "dsp_" + hex_id(f"dispute:{user_id}:{txn_id}", 12)


def referral_link_id(user_id: str, card_name: str) -> str:
    return hex_id(f"referral_link:{user_id}:{card_name}")


def credit_card_order_id(account_id: str, user_id: str, reason: str) -> str:
    return "ccord_" + hex_id(f"credit_card_order:{account_id}:{user_id}:{reason}", 12)


def closure_reason_id(account_id: str, user_id: str) -> str:
    return "clsr_" + hex_id(f"closure_reason:{account_id}:{user_id}", 12)


def account_flag_id(account_id: str, flag_type: str, expiration_date: str) -> str:
    return "ccflag_" + hex_id(f"account_flag:{account_id}:{flag_type}:{expiration_date}", 12)


def limit_request_id(account_id: str, user_id: str, amount: float) -> str:
    return "cli_" + hex_id(f"cli_request:{account_id}:{user_id}:{amount:.2f}", 12)


def debit_card_order_id(account_id: str, user_id: str, delivery: str) -> str:
    return "dcord_" + hex_id(f"debit_card_order:{account_id}:{user_id}:{delivery}", 12)


def debit_card_id(account_id: str, user_id: str, issue_date: str) -> str:
    return "dbc_" + hex_id(f"debit_card:{account_id}:{user_id}:{issue_date}", 12)


def parse_money(value: Any) -> float:
    """A balance that may be a number or a text like '$2,850.00'."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return float(value.replace("$", "").replace(",", ""))
    return 0.0


def balance_of(account: dict[str, Any]) -> float:
    return parse_money(account.get("current_holdings", account.get("balance", 0)))


def history_report(header: str, tool: str, subject: str, result: str, empty: str) -> str:
    """The read tools' common shape: a header, then the records or a 'none found' line."""
    parts = [header, "", f"Executed: {tool}", subject]
    parts.append(result if not no_records(result) else f"\n{empty}")
    return "\n".join(parts)


def title(text: str) -> str:
    """'fraud_suspected' -> 'Fraud Suspected', as the reference shows codes."""
    return text.replace("_", " ").title()
