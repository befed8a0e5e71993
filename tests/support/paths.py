"""Where the tests find the checkout and the reference data kept beside it.

The reference data (τ²-bench's files, the example osworld-lite tasks, Qwen's chat template)
lives in a `shared/` folder next to the checkout, never inside it. CI always provides it, so a
test that needs it fails (never skips) when it is missing.
"""
from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
SHARED_DIR: Path = REPO_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """`SHARED_DIR / parts`, failing the calling test when it does not exist.

    Call it inside a test or fixture: at import time a failure would abort the collection.
    """
    return require_shared(SHARED_DIR.joinpath(*parts))


def require_shared(path: Path) -> Path:
    """`path` (a path under SHARED_DIR), failing the calling test when it does not exist."""
    if not path.exists():
        pytest.fail(f"reference data missing: {path} (the checkout needs the shared/ folder beside it)",
                    pytrace=False)
    return path
