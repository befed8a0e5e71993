"""Decontamination: train and generated tasks never reuse a test task's content.

A task's *content* is what a model could memorise from training on it: its instruction, the
bytes of every file its setup puts in front of the agent (fixtures), and its expected outputs
(the evaluator's expected files and values, τ²'s gold actions and the facts to communicate).
`TestIndex` holds the test split's content; `TestIndex.leaks(task)` names every way a candidate
reuses it:

* **content hash**: a fixture or expected file with the same bytes as a test task's (office
  files and tar archives are hashed over their members, blind to the timestamps inside), or an
  instruction / expected value that is the same text once case, punctuation and spacing are
  normalised (expected values count when they name data of their own: a policy phrase every
  task of a kind expects is the domain's rule, not a test answer);
* **near duplicate**: an instruction (or a long expected text) whose normalised text matches a
  test one at `NEAR_DUP_THRESHOLD` or more on RapidFuzz's ``ratio`` (an edit-distance similarity,
  0-100) *and* names the same specifics (numbers, codes, file names, e-mail addresses, quoted
  strings, proper names): the test task reworded, re-punctuated or re-cased. A generator's
  template filled with other data (another card, another file, another total) is a new task with
  another answer, not a copy; what that answer depends on — fixture bytes and expected outputs —
  is compared on its own, by hash.

Sources (one function each): osworld-lite's built-in suite and any list of osworld-lite `Task`s
(the generated families give theirs), tau2-lite card_services' frozen test set and its
generator. `python -m agents collect` and the export's leak guard use this module.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

NEAR_DUP_THRESHOLD = 90.0   # RapidFuzz ratio on normalised text, 0-100
NEAR_DUP_MIN_CHARS = 24     # shorter texts (a number, a name) are compared exactly, never fuzzily
EXACT_MIN_CHARS = 6         # an expected value shorter than this ("42", "yes") is no evidence of a leak
ZIP_VOLATILE = {"docProps/core.xml"}   # creation/modification times, new on every generation


@dataclass(frozen=True)
class TaskContent:
    """What a task shows or expects, for comparison across splits."""

    env: str
    task_id: str
    split: str
    instruction: str
    files: dict[str, bytes] = field(default_factory=dict)       # fixture / expected file name -> bytes
    expected: tuple[str, ...] = ()                                # expected values as text


@dataclass(frozen=True)
class Leak:
    kind: str          # "instruction", "instruction (near duplicate)", "file", "expected", …
    task_id: str
    test_task_id: str
    detail: str

    def __str__(self) -> str:
        return f"{self.task_id}: {self.kind} of test task {self.test_task_id} ({self.detail})"


def normalise(text: str) -> str:
    """Lower case, accents folded, punctuation to spaces, runs of spaces collapsed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"|`([^`]+)`")
_TOKEN = re.compile(r"[\w$@./:-]+")


def specifics(text: str) -> frozenset[str]:
    """The data a text names: quoted strings, tokens with digits or inner punctuation (file names,
    e-mails, ids, amounts) and capitalised words inside a sentence (names), lower-cased."""
    found = {next(g for g in m.groups() if g).strip().lower() for m in _QUOTED.finditer(text)}
    sentence_start = True
    for token in _TOKEN.findall(text):
        word = token.strip(".:-/")
        if any(c.isdigit() for c in word) or re.search(r"\w[@./_]\w", word):
            found.add(word.lower())
        elif word[:1].isupper() and not sentence_start:
            found.add(word.lower())
        sentence_start = token.endswith((".", ":")) or not word
    return frozenset(found)


def same_specifics(a: str, b: str) -> bool:
    """Whether two texts name the same data: each one's specifics appear in the other's
    normalised words (so re-casing a name does not hide it)."""
    words_a, words_b = f" {normalise(a)} ", f" {normalise(b)} "
    return all(f" {normalise(x)} " in words_b for x in specifics(a)) and \
        all(f" {normalise(x)} " in words_a for x in specifics(b))


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def content_hash(data: bytes, name: str = "") -> str:
    """sha256 of a file's content, blind to the timestamps that archives carry."""
    digest = hashlib.sha256()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in sorted(set(archive.namelist()) - ZIP_VOLATILE):
                digest.update(member.encode() + b"\0" + archive.read(member) + b"\0")
        return "zip:" + digest.hexdigest()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        try:
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                for member in sorted(archive.getmembers(), key=lambda m: m.name):
                    handle = archive.extractfile(member) if member.isfile() else None
                    digest.update(member.name.encode() + b"\0" + (handle.read() if handle else b"") + b"\0")
            return "tar:" + digest.hexdigest()
        except tarfile.TarError:
            pass
    return hashlib.sha256(data).hexdigest()


class TestIndex:
    """The test split's content, indexed for exact and near-duplicate lookups."""

    def __init__(self, tests: Iterable[TaskContent]):
        self.file_hashes: dict[str, str] = {}
        self.instruction_hashes: dict[str, str] = {}
        self.expected_hashes: dict[str, str] = {}
        self._texts: list[str] = []          # normalised instructions and long expected texts
        self._owners: list[str] = []
        self._raw: list[str] = []            # the same texts as given, for their specifics
        self.size = 0
        for test in tests:
            self.size += 1
            for name, data in test.files.items():
                self.file_hashes.setdefault(content_hash(data, name), test.task_id)
            if test.instruction.strip():
                self.instruction_hashes.setdefault(text_hash(test.instruction), test.task_id)
                self._add_text(test.instruction, test.task_id)
            for value in test.expected:
                if _telling(value):
                    self.expected_hashes.setdefault(text_hash(value), test.task_id)
                    if not _is_structured(value):
                        self._add_text(value, test.task_id)

    def _add_text(self, text: str, owner: str) -> None:
        norm = normalise(text)
        if len(norm) >= NEAR_DUP_MIN_CHARS:
            self._texts.append(norm)
            self._owners.append(owner)
            self._raw.append(text)

    def near_duplicate(self, text: str) -> tuple[str, float] | None:
        """(test task id, score) of a test text at or above the threshold naming the same specifics."""
        norm = normalise(text)
        if len(norm) < NEAR_DUP_MIN_CHARS or not self._texts:
            return None
        for _, score, i in process.extract(norm, self._texts, scorer=fuzz.ratio, score_cutoff=NEAR_DUP_THRESHOLD,
                                           limit=None):
            if same_specifics(text, self._raw[i]):
                return self._owners[i], float(score)
        return None

    def leaks(self, task: TaskContent) -> list[Leak]:
        found: list[Leak] = []
        if task.instruction.strip():
            owner = self.instruction_hashes.get(text_hash(task.instruction))
            if owner:
                found.append(Leak("instruction", task.task_id, owner, "same text"))
            else:
                near = self.near_duplicate(task.instruction)
                if near:
                    found.append(Leak("instruction (near duplicate)", task.task_id, near[0], f"similarity {near[1]:.0f}"))
        for name, data in task.files.items():
            owner = self.file_hashes.get(content_hash(data, name))
            if owner:
                found.append(Leak("file", task.task_id, owner, f"{name}: same content"))
        for value in task.expected:
            if not _telling(value):
                continue
            owner = self.expected_hashes.get(text_hash(value))
            if owner:
                found.append(Leak("expected output", task.task_id, owner, f"{value[:40]!r}"))
                continue
            near = None if _is_structured(value) else self.near_duplicate(value)
            if near:
                found.append(Leak("expected output (near duplicate)", task.task_id, near[0],
                                  f"{value[:40]!r}, similarity {near[1]:.0f}"))
        return found


def _telling(value: str) -> bool:
    """Whether an expected value is evidence of a leak: long enough and naming data of its own.
    Policy phrases every task of a kind expects ("The agent does not disclose the full card
    number", a transfer summary) are the domain's rules, not a test task's answer."""
    if _is_structured(value):   # a gold action: judged by its argument values, not its tool's name
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        args = parsed.get("arguments", parsed) if isinstance(parsed, dict) else parsed
        return any(specifics(text) for text in _strings(args))
    return len(normalise(value)) >= EXACT_MIN_CHARS and bool(specifics(value))


def _is_structured(value: str) -> bool:
    """A JSON value (a gold action): equal or not, never 'nearly' equal."""
    return value[:1] in "{["


@dataclass
class Report:
    """The result of checking candidates against a test index."""

    checked: int = 0
    test_tasks: int = 0
    leaks: list[Leak] = field(default_factory=list)

    @property
    def leaking_ids(self) -> set[str]:
        return {leak.task_id for leak in self.leaks}

    def as_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "test_tasks": self.test_tasks, "leaking_tasks": len(self.leaking_ids),
                "leaks": [str(leak) for leak in self.leaks[:50]],
                "method": f"sha256 of fixture/expected files (archives by member) and normalised texts; "
                          f"near duplicates: RapidFuzz ratio >= {NEAR_DUP_THRESHOLD:.0f} on normalised "
                          f"texts of {NEAR_DUP_MIN_CHARS}+ characters naming the same specifics"}


def check(candidates: Iterable[TaskContent], tests: Iterable[TaskContent]) -> Report:
    index = TestIndex(tests)
    report = Report(test_tasks=index.size)
    for task in candidates:
        report.checked += 1
        report.leaks.extend(index.leaks(task))
    return report


# ----------------------------------------------------------------------------- osworld-lite


def _strings(value: Any) -> list[str]:
    """Every string (and number) inside a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)):
        return [str(value)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _read_tree(path: Path, prefix: str) -> dict[str, bytes]:
    if path.is_file():
        return {prefix: path.read_bytes()}
    return {f"{prefix}/{p.relative_to(path).as_posix()}": p.read_bytes()
            for p in sorted(path.rglob("*")) if p.is_file()}


def osworld_content(task: Any, split: str | None = None, workdir: Path | None = None) -> TaskContent:
    """An osworld-lite `Task`'s content: instruction, copied fixtures and files, expected files/values."""
    from envs.osworld_lite.fixtures import materialize_fixture

    files: dict[str, bytes] = {}
    expected: list[str] = []
    with tempfile.TemporaryDirectory(prefix="decontam-", dir=workdir) as tmp:
        root = Path(tmp)
        for n, step in enumerate(task.config):
            if step.type == "copy":
                dest = root / f"copy{n}" / Path(step.parameters.path).name
                step.parameters.materialize(task, dest)
                files.update(_read_tree(dest, f"{step.parameters.path}"))
        for n, spec in enumerate(task.evaluator.expecteds):
            if spec is None:
                continue
            body = spec.as_dict()
            if body.get("type") == "fixture" and body.get("fixture"):
                dest = root / f"expected{n}" / Path(str(body["fixture"])).name
                dest.parent.mkdir(parents=True, exist_ok=True)
                materialize_fixture(str(body["fixture"]), dest)
                files.update(_read_tree(dest, f"expected:{body['fixture']}"))
            else:
                expected.extend(_strings({k: v for k, v in body.items() if k != "type"}))
    # A value the task's own setup already shows (a tab it opens and expects to stay) is the
    # starting state, not an answer.
    setup = {normalise(v) for v in _strings([step.model_dump(mode="json") for step in task.config])}
    expected = [v for v in expected if normalise(v) not in setup]
    return TaskContent(env="osworld-lite", task_id=task.id, split=split or task.split,
                       instruction=task.instruction, files=files, expected=tuple(expected))


def osworld_builtin(split: str) -> list[TaskContent]:
    from envs.osworld_lite.suite import load_builtin_tasks

    return [osworld_content(t) for t in load_builtin_tasks() if t.split == split]


def osworld_generated(n: int, seed: int = 0) -> list[TaskContent]:
    """The first `n` generated osworld-lite train tasks of `seed` (envs/osworld_lite/generated)."""
    from envs.osworld_lite.generated import generate_tasks

    return [osworld_content(t) for t in generate_tasks(n, seed)]


def osworld_task(task_id: str, task_file: str | None = None) -> TaskContent:
    """One osworld-lite task by id: built-in, generated (rebuilt from its id) or from `task_file`."""
    from envs.osworld_lite.generated import get_generated_task, is_generated_id
    from envs.osworld_lite.suite import get_task

    return osworld_content(get_generated_task(task_id) if is_generated_id(task_id) else get_task(task_id, task_file))


# ----------------------------------------------------------------------------- tau2-lite card_services


def card_services_content(task: dict[str, Any], split: str) -> TaskContent:
    """A τ²-bench task dict's content: the customer's scenario, gold actions, facts to communicate.

    card_services tasks share one generated DB (no per-task files); record-level disjointness of
    the splits is the domain's own guarantee (tests/tasks/test_split_disjoint.py).
    """
    scenario = task.get("user_scenario", {}).get("instructions", {})
    instruction = (scenario.get("reason_for_call") or "") if isinstance(scenario, dict) else str(scenario)
    criteria = task.get("evaluation_criteria") or {}
    expected = [json.dumps({"name": a.get("name"), "arguments": a.get("arguments")}, sort_keys=True)
                for a in criteria.get("actions") or []]
    expected += [str(x) for x in criteria.get("communicate_info") or []]
    expected += [str(x) for x in criteria.get("nl_assertions") or []]
    return TaskContent(env="tau2-lite", task_id=str(task["id"]), split=split, instruction=instruction,
                       expected=tuple(expected))


def card_services_test() -> list[TaskContent]:
    from envs.tau2_lite.domains.card_services import load_test_set

    return [card_services_content(t, "test") for t in load_test_set()]


def card_services_train(n: int, seed: int = 0) -> list[TaskContent]:
    from envs.tau2_lite.domains.card_services import generate_train_tasks

    return [card_services_content(t, "train") for t in generate_train_tasks(n, seed)]


def test_contents(env: str, domain: str | None = None) -> list[TaskContent]:
    """The test split of one environment (tau2-lite: the card_services domain)."""
    if env == "osworld-lite":
        return osworld_builtin("test")
    if env == "tau2-lite" and domain in (None, "card_services"):
        return card_services_test()
    raise ValueError(f"no test content known for {env}{'/' + domain if domain else ''}; "
                     "decontamination covers osworld-lite and tau2-lite card_services")




# ----------------------------------------------------------------------------- the export's guard


class LeakGuard:
    """Content check of exported episodes' tasks against the test split of their environment.

    Called once per episode with (env, domain, task id, instruction, env options); answers why
    the task leaks test content, or None. The task's full content (files, expected outputs) is
    rebuilt where the environment can (osworld-lite built-in, generated and --task-file tasks,
    card_services train tasks); otherwise its instruction alone is compared. Environments or
    domains with no known test split (a τ²-bench data folder) are counted as not covered.
    """

    def __init__(self) -> None:
        self._indexes: dict[tuple[str, str], TestIndex | None] = {}
        self._verdicts: dict[tuple[str, str, str], str | None] = {}
        self._card_train: dict[int, dict[str, dict[str, Any]]] = {}
        self.report = Report()
        self.not_covered: set[str] = set()

    def _index(self, env: str, domain: str) -> TestIndex | None:
        key = (env, domain if env == "tau2-lite" else "")
        if key not in self._indexes:
            try:
                self._indexes[key] = TestIndex(test_contents(env, domain or None))
            except ValueError:
                self._indexes[key] = None
            self.report.test_tasks += self._indexes[key].size if self._indexes[key] else 0
        return self._indexes[key]

    def _card_task(self, task_id: str) -> dict[str, Any] | None:
        match = re.fullmatch(r"cs_train_(\d+)_(\d+)", task_id)
        if not match:
            return None
        from envs.tau2_lite.domains.card_services import generate_train_tasks

        seed, index = int(match[1]), int(match[2])
        known = self._card_train.setdefault(seed, {})
        if task_id not in known:
            known.update({t["id"]: t for t in generate_train_tasks(max(index + 1, 2 * len(known)), seed)})
        return known.get(task_id)

    def _content(self, env: str, domain: str, task_id: str, instruction: str,
                 options: dict[str, Any]) -> TaskContent:
        try:
            if env == "osworld-lite":
                return osworld_task(task_id, options.get("task_file"))
            if env == "tau2-lite" and domain == "card_services":
                task = self._card_task(task_id)
                if task is not None:
                    return card_services_content(task, "train")
        except (KeyError, LookupError, ValueError, OSError):
            pass   # a task the environment no longer knows: its stored instruction still counts
        return TaskContent(env, task_id, "train", instruction)

    def __call__(self, env: str, domain: str, task_id: str, instruction: str,
                 options: dict[str, Any] | None = None) -> str | None:
        key = (env, domain, task_id)
        if key in self._verdicts:
            return self._verdicts[key]
        index = self._index(env, domain)
        verdict = None
        if index is None:
            self.not_covered.add(f"{env}/{domain}" if domain else env)
        else:
            self.report.checked += 1
            leaks = index.leaks(self._content(env, domain, task_id, instruction, options or {}))
            self.report.leaks.extend(leaks)
            verdict = "; ".join(str(x) for x in leaks) or None
        self._verdicts[key] = verdict
        return verdict

    def summary(self) -> dict[str, Any]:
        return {**self.report.as_json(), "not_covered": sorted(self.not_covered)}

__all__ = ["Leak", "LeakGuard", "NEAR_DUP_THRESHOLD", "Report", "TaskContent", "TestIndex", "card_services_content",
           "card_services_test", "card_services_train", "check", "content_hash", "normalise", "same_specifics",
           "osworld_builtin", "osworld_content", "osworld_generated", "osworld_task", "test_contents"]
