"""What banking_knowledge's two toolkits share: calls as the reference makes them.

The reference calls a tool method with the call's arguments as they are (no schema check):
a missing or unknown argument raises Python's TypeError (→ `error: true`), and a tool that
gets a number where it expects text fails or not exactly as the method's own code does.
Discoverable methods (discovery.py) count as tools of the toolkit too.
"""
from __future__ import annotations

from typing import Any, ClassVar

from envs.errors import InfrastructureError
from envs.tau2_lite.domains.banking_knowledge.db import BankingDB
from envs.tau2_lite.domains.banking_knowledge.discovery import discoverables
from envs.tau2_lite.toolkit import Toolkit, ToolResult, ToolType, encode_output


class BankingToolkit(Toolkit):
    db: BankingDB
    _discoverable: ClassVar[dict[str, tuple[ToolType, bool]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._discoverable = discoverables(cls)

    @classmethod
    def has_tool(cls, name: str) -> bool:
        return name in cls._specs or name in cls._discoverable

    @classmethod
    def mutates_state(cls, name: str) -> bool:
        if name in cls._discoverable:
            return cls._discoverable[name][1]
        return super().mutates_state(name)

    @classmethod
    def discoverable_names(cls) -> list[str]:
        return list(cls._discoverable)

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        if not self.has_tool(name):
            raise ValueError(f"Tool '{name}' not found.")
        return getattr(self, name)(**(arguments or {}))

    def execute(self, name: str, arguments: dict[str, Any] | None = None) -> ToolResult:
        """As the base, but a failing search endpoint is an infrastructure fault, not a tool
        error the agent caused: it propagates."""
        try:
            return ToolResult(encode_output(self.call(name, arguments)))
        except InfrastructureError:
            raise
        except Exception as exc:  # noqa: BLE001 - every other failure goes back to the caller
            return ToolResult(f"Error: {exc}", error=True)
