"""Agents: the CLI, the episode runner, agent policies, model clients and action formats."""
