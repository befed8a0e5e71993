"""Keeping the phone's surroundings in step with the back office (τ²-bench's
`TelecomEnvironment.sync_tools`).

Runs when the runtime is built, after each initialization action, at the end of the initial
state, after each successful tool call, after each orchestration step and after each
assertion (see runtime.py). It copies what the agent's DB decides about the user's line
into `surroundings` and settles payments, and never touches the phone's radio state: only a
network search (toggles, reboot, …) does that.
"""
from __future__ import annotations

from envs.tau2_lite.domains.telecom.models import LineStatus
from envs.tau2_lite.domains.telecom.tools import TelecomTools
from envs.tau2_lite.domains.telecom.user_models import PaymentRequest
from envs.tau2_lite.domains.telecom.user_tools import TelecomUserTools


def sync_surroundings(agent: TelecomTools, user: TelecomUserTools) -> None:
    surroundings = user.db.surroundings
    phone_number = surroundings.phone_number
    if phone_number is None:   # nothing to sync before the scenario names the user's line
        return
    try:
        line = agent._get_line_by_phone(phone_number)
    except ValueError:
        raise ValueError(f"Wrong scenario, line not found for phone number: {phone_number}") from None
    surroundings.line_active = line.status == LineStatus.ACTIVE
    surroundings.roaming_allowed = bool(line.roaming_enabled)
    try:
        plan = agent._get_plan_by_id(line.plan_id)
    except ValueError:
        raise ValueError(f"Wrong scenario, invalid plan id ({line.plan_id}) for the phone number "
                         f"{phone_number}") from None
    surroundings.mobile_data_usage_exceeded = line.data_used_gb >= plan.data_limit_gb + line.data_refueling_gb
    request = surroundings.payment_request
    if request is not None and request.paid:
        agent._set_bill_to_paid(request.bill_id)
        surroundings.payment_request = None
    if surroundings.payment_request is None:
        customer = agent.get_customer_by_phone(phone_number)
        awaiting = agent._get_bills_awaiting_payment(customer)
        if awaiting:
            bill = awaiting[0]
            surroundings.payment_request = PaymentRequest(bill_id=bill.bill_id, amount_due=bill.total_due)
