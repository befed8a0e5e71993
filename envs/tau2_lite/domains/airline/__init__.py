"""τ²-bench's airline domain (flight reservations), read from `--data-dir` (τ²-bench's
data/tau2/domains/airline: db.json, tasks.json, policy.md, split_tasks.json).

The reference's airline data is not shipped with this project and parity with the reference
was not checked against published replay vectors (there are none for airline); the tools are
tested on a small database in the reference's schema."""
from __future__ import annotations

from envs.tau2_lite.domain import DataDirDomain, register_domain
from envs.tau2_lite.domains.airline.models import FlightDB
from envs.tau2_lite.domains.airline.tools import AirlineTools


@register_domain
class AirlineDomain(DataDirDomain):
    name = "airline"
    description = "τ²-bench airline: flight search, bookings, changes, cancellations and baggage."
    db_class = FlightDB
    toolkit_class = AirlineTools
