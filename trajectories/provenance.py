"""What a run records to be reproducible: the git revision and the versions of key packages."""
from __future__ import annotations

import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from trajectories.records import RunConfig

# Packages whose versions change results or stored formats.
TRACKED_PACKAGES = (
    "agentic-bench", "gymnasium", "openai", "pydantic", "sqlalchemy", "alembic", "numpy",
    "pillow", "playwright", "vllm", "transformers", "torch", "ray",
)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def git_revision() -> str | None:
    """HEAD of the project checkout (suffixed "-dirty" with uncommitted changes), or None."""
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                                  timeout=5, check=True).stdout.strip()
        rev = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{rev}-dirty" if dirty else rev


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def fill_provenance(config: RunConfig) -> RunConfig:
    """The config with git revision and package versions filled in where the caller left them out."""
    update: dict[str, object] = {}
    if config.git_revision is None:
        update["git_revision"] = git_revision()
    if not config.package_versions:
        update["package_versions"] = package_versions()
    return config.model_copy(update=update) if update else config
