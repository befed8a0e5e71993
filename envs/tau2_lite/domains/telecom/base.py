"""What both telecom toolkits share: calling tools the way the reference calls them.

The reference passes a tool call's arguments straight to the Python method, unchecked; its
outputs depend on that (`refuel_data(gb_amount=1)` echoes "1 GB", not "1.0 GB"), and a bad
argument fails with Python's own `TypeError` text, e.g.
"TelecomTools.get_customer_by_id() got an unexpected keyword argument 'extra'". So the
telecom toolkits skip the argument validation other domains do. Arguments are data passed
to fixed methods; nothing a model writes is executed.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from envs.tau2_lite.toolkit import Toolkit

TODAY = date(2025, 2, 25)   # the reference's fixed `get_today()`


class ReferenceCallToolkit(Toolkit):
    """A toolkit whose tools receive the call's arguments unchanged (see module doc)."""

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        if name not in self._specs:
            raise ValueError(f"Tool '{name}' not found.")
        arguments = arguments or {}
        if not isinstance(arguments, dict):
            raise TypeError(f"{type(self).__name__}.{name}() argument after ** must be a mapping, "
                            f"not {type(arguments).__name__}")
        return getattr(self, name)(**arguments)
