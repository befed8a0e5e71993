"""What a run records so that it can be reproduced: git revision and package versions."""
from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

TRACKED_PACKAGES = (
    "agentic-bench", "gymnasium", "openai", "pydantic", "sqlalchemy", "alembic", "numpy",
    "playwright", "openpyxl", "python-docx", "vllm", "ray",
)


def git_revision(path: Path | None = None) -> str | None:
    """`<sha>` or `<sha>-dirty` of the checkout holding this package, None outside git."""
    where = path or Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{sha}-dirty" if dirty else sha


def package_versions() -> dict[str, str]:
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
