"""``manifest.json``: what an export holds, where it came from, and a sha256 of every file."""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
_CONTENT_ADDRESSED = re.compile(r"^images/[0-9a-f]{2}/(?P<sha>[0-9a-f]{64})\.[a-z]+$")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def hash_tree(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under `root` except the manifest itself.

    Image files are named by the sha256 that was verified when they were written.
    """
    out: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == MANIFEST:
            continue
        match = _CONTENT_ADDRESSED.match(rel)
        out[rel] = match.group("sha") if match else file_sha256(path)
    return out


@dataclass
class Tally:
    """Counts gathered while exporting (small: keyed by env/domain/model/run, not by episode)."""

    samples: int = 0
    episodes: int = 0
    steps: int = 0
    images: int = 0
    episodes_seen: int = 0
    by_env: Counter[str] = field(default_factory=Counter)
    by_domain: Counter[str] = field(default_factory=Counter)
    by_model: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    source_runs: set[str] = field(default_factory=set)
    pairs: int = 0

    def add_sample(self, images: int) -> None:
        self.samples += 1
        self.images += images

    def add_episode(self, meta: dict[str, Any], steps: int) -> None:
        """Counts per env/domain/model are of episodes (a per-turn export has more samples)."""
        self.episodes += 1
        self.steps += steps
        self.by_env[meta["env"]] += 1
        self.by_domain[f"{meta['env']}/{meta['domain']}"] += 1
        self.by_model[str(meta["model"])] += 1
        self.source_runs.add(meta["run_id"])


def counts_of(tally: Tally) -> dict[str, Any]:
    """The counts section of the manifest (and of the data card)."""
    return {
        "samples": tally.samples,
        "episodes": tally.episodes,
        "steps": tally.steps,
        "images": tally.images,
        "pairs": tally.pairs,
        "episodes_considered": tally.episodes_seen,
        "by_env": dict(sorted(tally.by_env.items())),
        "by_domain": dict(sorted(tally.by_domain.items())),
        "by_model": dict(sorted(tally.by_model.items())),
        "skipped": dict(sorted(tally.skipped.items())),
    }


def write_manifest(out_dir: Path, *, fmt: str, filters: dict[str, Any], shaping: dict[str, Any],
                   tally: Tally, secrets_redacted: int, extra: dict[str, Any] | None = None) -> Path:
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "format": fmt,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "filters": filters,
        "options": shaping,
        "source_runs": sorted(tally.source_runs),
        "counts": counts_of(tally),
        "secrets_redacted": secrets_redacted,
        **(extra or {}),
        "files": hash_tree(out_dir),
    }
    path = out_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def verify_manifest(out_dir: Path) -> list[str]:
    """Problems found re-hashing an export against its manifest ([] when intact)."""
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    problems = []
    actual = {rel: file_sha256(out_dir / rel) for rel in hash_tree(out_dir)}
    for rel, sha in manifest["files"].items():
        if rel not in actual:
            problems.append(f"missing: {rel}")
        elif actual[rel] != sha:
            problems.append(f"changed: {rel}")
    problems.extend(f"not in manifest: {rel}" for rel in actual if rel not in manifest["files"])
    return problems
