"""Gymnasium environments: osworld-lite (real desktop apps) and tau2-lite (tool domains).

`envs` imports nothing from `agents`, `trajectories` or `scoring`.
"""
from envs.types import AgentSpec, ChatModel, ChatReply, Evaluation, TaskInfo, Termination
from envs.errors import InfrastructureError, UnknownIdError
from envs.registry import EnvFamily, get_family, list_families, register_family

__all__ = [
    "AgentSpec", "ChatModel", "ChatReply", "Evaluation", "TaskInfo", "Termination",
    "InfrastructureError", "UnknownIdError",
    "EnvFamily", "get_family", "list_families", "register_family",
]
