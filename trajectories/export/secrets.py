"""Scrub secrets (API keys, bearer tokens, credentials in env vars) from exported data.

Trajectories can carry secrets by accident: a model echoing an ``Authorization`` header, a
task typing an API key, a tool result with a token. Everything an exporter writes passes
through `SecretScrubber.scrub`, which replaces each match with ``[REDACTED]``.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Well-known credential shapes. Kept specific so that ordinary text survives.
_PATTERNS: tuple[str, ...] = (
    r"\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{16,}",   # OpenAI / Anthropic / Stripe style
    r"(?i:\bbearer)\s+[A-Za-z0-9\-._~+/]{8,}=*",                # Authorization: Bearer …
    r"\bgh[pousr]_[A-Za-z0-9]{30,}",                           # GitHub tokens
    r"\bgithub_pat_[A-Za-z0-9_]{40,}",
    r"\bhf_[A-Za-z0-9]{30,}",                                  # Hugging Face tokens
    r"\bxox[abprs]-[A-Za-z0-9-]{10,}",                         # Slack tokens
    r"\bAKIA[0-9A-Z]{16}\b",                                   # AWS access key ids
    r"\bAIza[0-9A-Za-z\-_]{35}\b",                             # Google API keys
    # key=value / "key": "value" where the key name says it is a secret
    r"(?i:api[_-]?key|access[_-]?token|auth[_-]?token|secret[_-]?key|password|client[_-]?secret)"
    r"[\"']?\s*[:=]\s*[\"']?(?P<value>[^\s\"',;}]{6,})",
)
_ENV_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD", re.IGNORECASE)
# Values shorter than this are not treated as secrets (e.g. KEY=1 would scrub every "1").
_MIN_ENV_VALUE = 8


class SecretScrubber:
    """Replaces secrets in strings and in nested JSON-like values."""

    def __init__(self, environ: Mapping[str, str] | None = None, extra: list[str] | None = None):
        environ = os.environ if environ is None else environ
        values = {v for k, v in environ.items() if _ENV_NAME.search(k) and len(v.strip()) >= _MIN_ENV_VALUE}
        values.update(v for v in (extra or []) if len(v) >= _MIN_ENV_VALUE)
        # Longest first so that a value containing another is replaced whole.
        self._literals = sorted(values, key=len, reverse=True)
        self._literal_re = re.compile("|".join(re.escape(v) for v in self._literals)) if self._literals else None
        self._pattern = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
        self.count = 0

    def _replace(self, match: re.Match[str]) -> str:
        self.count += 1
        value = match.groupdict().get("value")
        if value:  # keep the key name, hide only the value
            start = match.start("value") - match.start()
            return match.group(0)[:start] + REDACTED
        return REDACTED

    def scrub_text(self, text: str) -> str:
        if self._literal_re is not None:
            text, n = self._literal_re.subn(REDACTED, text)
            self.count += n
        return self._pattern.sub(self._replace, text)

    def scrub(self, value: Any) -> Any:
        """A copy of `value` with every string (keys included) scrubbed."""
        if isinstance(value, str):
            return self.scrub_text(value)
        if isinstance(value, dict):
            return {self.scrub_text(k) if isinstance(k, str) else k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return value
