"""τ²-bench's retail domain, read from the user's τ²-bench data (`--data-dir`)."""
from __future__ import annotations

from envs.tau2_lite.domain import DataDirDomain, register_domain
from envs.tau2_lite.domains.retail.models import RetailDB
from envs.tau2_lite.domains.retail.tools import RetailTools


@register_domain
class RetailDomain(DataDirDomain):
    name = "retail"
    description = "τ²-bench retail: orders, returns, exchanges and user profiles of an online store."
    db_class = RetailDB
    toolkit_class = RetailTools
