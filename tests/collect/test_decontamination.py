"""Decontamination catches a test task's content in a train task, by hash and by near-duplicate text."""
from __future__ import annotations

import copy

import pytest

from envs import decontamination as d
from envs.osworld_lite.suite import load_builtin_tasks
from envs.tau2_lite.domains.card_services import load_test_set


@pytest.fixture(scope="module")
def osworld_index() -> d.TestIndex:
    return d.TestIndex(d.osworld_builtin("test"))


def test_builtin_and_generated_card_tasks_are_clean(osworld_index: d.TestIndex) -> None:
    assert osworld_index.size == len([t for t in load_builtin_tasks() if t.split == "test"])
    assert d.check(d.osworld_builtin("train"), d.osworld_builtin("test")).leaks == []
    assert d.check(d.card_services_train(200), d.card_services_test()).leaks == []
    from envs.osworld_lite.generated import FAMILIES

    generated = d.osworld_generated(2 * len(FAMILIES), seed=7)   # two of every family
    assert len({c.instruction for c in generated}) == len(generated)
    assert [str(x) for x in osworld_index_leaks(osworld_index, generated)] == []


def osworld_index_leaks(index: d.TestIndex, contents: list[d.TaskContent]) -> list[d.Leak]:
    return [leak for c in contents for leak in index.leaks(c)]


def test_a_reworded_test_instruction_is_a_near_duplicate(osworld_index: d.TestIndex) -> None:
    test = next(t for t in load_builtin_tasks() if t.split == "test" and len(t.instruction) > 60)
    # Re-cased, re-punctuated, one word changed: still the test task.
    reworded = "Please, " + test.instruction[0].lower() + test.instruction[1:].replace(" the ", " the  ", 1).rstrip(".") + "!"
    leaked = d.TaskContent("osworld-lite", "leaky-instruction", "train", reworded)
    (leak,) = osworld_index.leaks(leaked)
    assert (leak.kind, leak.test_task_id) == ("instruction (near duplicate)", test.id)
    # The same words with other data (another number) are another task.
    other = d.TaskContent("osworld-lite", "other-data", "train", test.instruction + " Use 12345 rows.")
    assert osworld_index.leaks(other) == []
    exact = d.TaskContent("osworld-lite", "same", "train", test.instruction.upper())
    assert [x.kind for x in osworld_index.leaks(exact)] == ["instruction"]


def test_a_train_task_with_a_test_fixture_is_caught(osworld_index: d.TestIndex) -> None:
    test = next(t for t in load_builtin_tasks() if t.split == "test"
                and any(s.type == "copy" and s.parameters.fixture for s in t.config))
    leaked = test.model_copy(deep=True)
    leaked.id = "leaky-fixture"
    leaked.split = "train"
    leaked.instruction = "Count the words of the document in your home folder and tell me the count."
    content = d.osworld_content(leaked)
    leaks = osworld_index.leaks(content)
    assert any(x.kind == "file" and x.test_task_id == test.id for x in leaks), leaks
    assert not any(x.kind.startswith("instruction") for x in leaks)


def test_office_files_compare_by_content_not_timestamps() -> None:
    import io
    import zipfile

    def docx(stamp: str) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("word/document.xml", "<w:t>Quarterly report</w:t>")
            z.writestr("docProps/core.xml", f"<dcterms:created>{stamp}</dcterms:created>")
        return buf.getvalue()

    a, b = docx("2026-01-01"), docx("2026-12-06")
    assert a != b and d.content_hash(a, "r.docx") == d.content_hash(b, "r.docx")


def test_a_card_services_test_scenario_reworded_is_caught() -> None:
    test = load_test_set()[0]
    index = d.TestIndex(d.card_services_test())
    leaked = copy.deepcopy(test)
    leaked["id"] = "cs_leaky"
    reason = leaked["user_scenario"]["instructions"]["reason_for_call"]
    leaked["user_scenario"]["instructions"]["reason_for_call"] = reason.replace("You ", "you ", 1) + " Thanks."
    leaks = index.leaks(d.card_services_content(leaked, "train"))
    kinds = {x.kind for x in leaks if x.test_task_id == test["id"]}
    assert "instruction (near duplicate)" in kinds
    assert any(k.startswith("expected output") for k in kinds)   # its gold actions name the same records
