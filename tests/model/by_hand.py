"""Numbers worked out by hand, shared by the model tests (each with its arithmetic)."""

from __future__ import annotations

# Every target's verdict at the plan's defaults at 5 % (MODEL.md §3 worked check; the values are in
# test_hand_calculations.py): 5 reached, 3 close, 9 missed.
DEFAULT_VERDICTS = {
    "coops": "reached",
    "unions": "reached",
    "new_coops": "reached",
    "new_unions": "reached",
    "managers_trained": "reached",
    "managers": "close",
    "hightech_coops": "close",
    "value_chain_coops": "close",
    "revenue_per_coop": "missed",
    "worker_income": "missed",
    "union_member_coops": "missed",
    "members": "missed",
    "profit_per_coop": "missed",
    "workers": "missed",
    "union_workers": "missed",
    "revenue_per_union": "missed",
    "profit_per_union": "missed",
}
