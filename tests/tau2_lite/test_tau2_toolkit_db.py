"""The tool framework (schemas, validation, output encoding) and the copy-on-access DB."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from envs.tau2_lite.db import DB, DBSource, canonical
from envs.tau2_lite.domain import get_domain
from envs.tau2_lite.domains.calculator import calculate_expression
from envs.tau2_lite.domains.retail.tools import RetailTools
from envs.tau2_lite.toolkit import Toolkit, ToolType, encode_output, tool


class Note(BaseModel):
    note_id: str
    text: str
    tags: list[str] = []
    stars: float | None = None


class NotesDB(DB):
    notes: dict[str, Note]
    counter: int = 0


class NoteTools(Toolkit):
    @tool(ToolType.READ)
    def get_note(self, note_id: str) -> Note:
        """Get a note.

        More words about notes.

        Args:
            note_id: The note id, such as 'n1'.
        """
        if note_id not in self.db.notes:
            raise ValueError("Note not found")
        return self.db.notes[note_id]

    @tool(ToolType.WRITE)
    def rate(self, note_id: str, stars: float, tags: list[str] | None = None) -> Note:
        """Rate a note.

        Args:
            note_id: The note id.
            stars: Between 0 and 5.
            tags: Tags to add.
        """
        note = self.get_note(note_id)
        note.stars = stars
        note.tags.extend(tags or [])
        return note

    @tool(ToolType.GENERIC, mutates_state=False)
    def counts(self) -> dict:
        """Counts of things."""
        return {"notes": len(self.db.notes), "nested": [1, 2.5, True]}

    def helper(self) -> str:  # not a tool
        return "x"


def _source() -> DBSource:
    raw = {"notes": {"n1": {"note_id": "n1", "text": "hello"}, "n2": {"note_id": "n2", "text": "ß", "tags": ["a"]}},
           "counter": 3}
    return DBSource(NotesDB, raw)


def test_schemas_come_from_signature_and_docstring() -> None:
    specs = NoteTools.specs()
    assert list(specs) == ["get_note", "rate", "counts"]
    assert specs["rate"].writes and specs["rate"].mutates_state
    assert not specs["counts"].mutates_state and specs["counts"].kind == ToolType.GENERIC
    fn = specs["get_note"].schema["function"]
    assert fn["description"] == "Get a note.\n\nMore words about notes."
    assert fn["parameters"] == {"properties": {"note_id": {"description": "The note id, such as 'n1'.",
                                                            "title": "Note Id", "type": "string"}},
                                "required": ["note_id"], "title": "parameters", "type": "object"}
    rate = specs["rate"].schema["function"]["parameters"]
    assert rate["required"] == ["note_id", "stars"]
    assert rate["properties"]["tags"]["anyOf"][0] == {"items": {"type": "string"}, "type": "array"}


def test_retail_schemas_match_reference_shape() -> None:
    schemas = {s["function"]["name"]: s for s in RetailTools.schemas()}
    assert len(schemas) == 16
    assert sum(s.writes for s in RetailTools.specs().values()) == 7
    params = schemas["exchange_delivered_order_items"]["function"]["parameters"]
    assert params["required"] == ["order_id", "item_ids", "new_item_ids", "payment_method_id"]
    assert params["properties"]["item_ids"]["items"] == {"type": "string"}
    assert schemas["list_all_product_types"]["function"]["parameters"]["properties"] == {}


def test_arguments_are_validated_with_clear_errors() -> None:
    kit = NoteTools(_source().fresh())
    assert kit.execute("rate", {"note_id": "n1", "stars": "4"}).content.startswith('{"note_id": "n1"')
    bad = kit.execute("rate", {"note_id": 1, "stars": "many"})
    assert bad.error and bad.content.startswith("Error: Invalid arguments for tool 'rate': ")
    assert "note_id: Input should be a valid string" in bad.content and "stars:" in bad.content
    extra = kit.execute("get_note", {"note_id": "n1", "verbose": True})
    assert extra.error and "unexpected argument(s) verbose" in extra.content
    missing = kit.execute("get_note", {})
    assert missing.error and "note_id: Field required" in missing.content
    assert kit.execute("helper", {}).content == "Error: Tool 'helper' not found."
    assert kit.execute("get_note", ["n1"]).error


def test_output_encoding_is_taus() -> None:
    kit = NoteTools(_source().fresh())
    # Models: field order, default separators, unset optionals as null.
    assert kit.execute("get_note", {"note_id": "n2"}).content == \
        '{"note_id": "n2", "text": "\\u00df", "tags": ["a"], "stars": null}'
    # Scalars inside lists and dicts become strings, as in τ²-bench's to_json_str.
    assert kit.execute("counts").content == '{"notes": "2", "nested": ["1", "2.5", "True"]}'
    assert encode_output("plain") == "plain" and encode_output(7) == '"7"'
    err = kit.execute("get_note", {"note_id": "zz"})
    assert (err.content, err.error) == ("Error: Note not found", True)


def test_calculator_is_safe_and_matches_reference_rounding() -> None:
    assert calculate_expression("(1 + 2) * 3 / 4") == "2.25"
    assert calculate_expression("2 * 3 ** 2") == "18.0"
    for bad in ("__import__('os')", "1 + a", "open"):
        with pytest.raises(ValueError, match="Invalid characters"):
            calculate_expression(bad)
    with pytest.raises(ZeroDivisionError):
        calculate_expression("1 / 0")
    with pytest.raises(ValueError, match="Exponent too large"):
        calculate_expression("9 ** 9 ** 9")
    with pytest.raises(SyntaxError):
        calculate_expression("1 +")


def test_live_copies_are_isolated_and_track_changes() -> None:
    src = _source()
    a, b = src.fresh(), src.fresh()
    NoteTools(a).call("rate", {"note_id": "n1", "stars": 5, "tags": ["x"]})
    a.notes["n3"] = {"note_id": "n3", "text": "new"}
    del a.notes["n2"]
    a.counter = 4
    assert b.notes["n1"].stars is None and "n2" in b.notes and "n3" not in b.notes
    assert src.fresh().hash() == b.hash() != a.hash()
    assert [c["path"] for c in a.changes()] == [["notes", "n1"], ["notes", "n2"], ["notes", "n3"], ["counter"]]
    n1 = a.changes()[0]
    assert n1["before"] == {"note_id": "n1", "text": "hello", "tags": []}   # db.json form: no nulls
    assert n1["after"]["stars"] == 5.0
    # Reading without writing changes nothing, though the record was copied.
    c = src.fresh()
    c.notes["n1"].text  # noqa: B018
    assert c.changes() == [] and c.same_state(b)


def test_hash_is_the_reference_hash_of_the_full_dump() -> None:
    src = _source()
    db = src.fresh()
    NoteTools(db).call("rate", {"note_id": "n2", "stars": 1})
    full = db.dump()
    assert full["notes"]["n1"]["stars"] is None
    import hashlib
    assert db.hash() == hashlib.sha256(canonical(full).encode()).hexdigest()
    assert json.loads(db.dump_json()) == db.dump(exclude_none=True)


def test_same_state_agrees_with_hash_comparison(retail_dir: Path) -> None:
    domain = get_domain("retail", retail_dir)
    kits = [RetailTools(domain.source.fresh()) for _ in range(3)]
    addr = {"address1": "1 A St", "address2": "", "city": "X", "state": "CA", "country": "USA", "zip": "00001"}
    kits[0].call("modify_user_address", {"user_id": "noah_brown_6181", **addr})
    kits[1].call("modify_user_address", {"user_id": "noah_brown_6181", **addr})
    kits[2].call("get_user_details", {"user_id": "noah_brown_6181"})
    assert kits[0].db.same_state(kits[1].db) and kits[0].db.hash() == kits[1].db.hash()
    assert not kits[0].db.same_state(kits[2].db) and kits[0].db.hash() != kits[2].db.hash()
    assert kits[2].db.same_state(domain.source.fresh())


def test_update_deep_merges_records() -> None:
    db = _source().fresh()
    db.update({"notes": {"n2": {"tags": ["b", "c"]}, "n9": {"note_id": "n9", "text": "t"}}, "counter": 7})
    assert db.notes["n2"].tags == ["b", "c"] and db.notes["n2"].text == "ß"
    assert db.notes["n9"].text == "t" and db.counter == 7
    with pytest.raises(ValueError, match="no field"):
        db.update({"nope": {}})


def test_bad_db_data_is_reported_with_its_location(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    path.write_text(json.dumps({"notes": {"n1": {"note_id": "n1"}}}))
    src = NotesDB.load(path)
    with pytest.raises(ValueError, match=r"record notes\['n1'\] is invalid"):
        src.validate_all()
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        NotesDB.load(path)


def test_peek_and_scan_read_without_copying_but_see_this_dbs_changes() -> None:
    src = _source()
    db = src.fresh()
    assert db.notes.peek("n1") is src.fresh().notes.peek("n1")   # shared, not copied
    assert [k for k, _ in db.notes.scan()] == ["n1", "n2"] and db.candidate_paths() == set()
    db.notes["n1"].text = "changed"          # fetching for a write copies the record
    db.notes["n0"] = {"note_id": "n0", "text": "added"}
    del db.notes["n2"]
    assert db.notes.peek("n1").text == "changed"
    assert [(k, r.text) for k, r in db.notes.scan()] == [("n1", "changed"), ("n0", "added")]
    assert src.fresh().notes.peek("n1").text == "hello"
    with pytest.raises(KeyError):
        db.notes.peek("n2")


def test_a_table_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ValueError, match="notes must be an object of records"):
        DBSource(NotesDB, {"notes": [{"note_id": "n1", "text": "x"}]})
    with pytest.raises(ValueError, match="missing DB field"):
        DBSource(NotesDB, {})


def test_cached_encoding_of_shared_records_never_hides_a_change(retail_dir: Path) -> None:
    domain = get_domain("retail", retail_dir)
    kit = RetailTools(domain.source.fresh())
    order_id = next(k for k, o in domain.source.shared_table("orders").items() if o.status == "pending")
    before = kit.execute("get_order_details", {"order_id": order_id}).content
    assert before == json.dumps(domain.source.record("orders", order_id).model_dump())
    assert kit.execute("get_order_details", {"order_id": order_id}).content == before   # cached path
    kit.call("cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"})
    after = kit.execute("get_order_details", {"order_id": order_id}).content
    assert '"status": "cancelled"' in after and after != before
    other = RetailTools(domain.source.fresh())
    assert other.execute("get_order_details", {"order_id": order_id}).content == before
