"""The mock domain: agent tools on a task tracker, user tools on a notification inbox."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from envs.tau2_lite.db import DB
from envs.tau2_lite.toolkit import Toolkit, ToolType, tool

TaskStatus = Literal["pending", "completed"]


class Task(BaseModel):
    task_id: str
    title: str
    description: str | None = None
    status: TaskStatus


class User(BaseModel):
    user_id: str
    name: str
    tasks: list[str]


class MockDB(DB):
    tasks: dict[str, Task]
    users: dict[str, User]


class Notification(BaseModel):
    notification_id: str
    message: str
    status: Literal["unread", "read"] = "unread"
    task_id: str | None = None


class MockUserDB(DB):
    notifications: dict[str, Notification]


class MockTools(Toolkit):
    """Agent tools of the mock domain."""

    db: MockDB

    @tool(ToolType.WRITE)
    def create_task(self, user_id: str, title: str, description: str | None = None) -> Task:
        """Create a new task for a user.

        Args:
            user_id: The ID of the user creating the task
            title: The title of the task
            description: Optional description of the task

        Returns:
            The created task
        """
        if user_id not in self.db.users:
            raise ValueError(f"User {user_id} not found")
        task_id = f"task_{len(self.db.tasks) + 1}"
        task = Task(task_id=task_id, title=title, description=description, status="pending")
        self.db.tasks[task_id] = task
        self.db.users[user_id].tasks.append(task_id)
        return task

    @tool(ToolType.READ)
    def get_users(self) -> list[User]:
        """Get all users in the database.

        Returns:
            List of all users
        """
        return [self.db.users[uid] for uid in self.db.users]

    @tool(ToolType.WRITE)
    def update_task_status(self, task_id: str, status: TaskStatus) -> Task:
        """Update the status of a task.

        Args:
            task_id: The ID of the task to update
            status: The new status of the task

        Returns:
            The updated task
        """
        if task_id not in self.db.tasks:
            raise ValueError(f"Task {task_id} not found")
        task = self.db.tasks[task_id]
        task.status = status
        return task

    @tool(ToolType.GENERIC)
    def transfer_to_human_agents(self, summary: str) -> str:
        """
        Transfer the user to a human agent, with a summary of the user's issue.
        Only transfer if the user explicitly asks for a human agent, or if the user's issue
        cannot be solved with the policy and the available tools.

        Args:
            summary: A summary of the user's issue.

        Returns:
            A message indicating the user has been transferred to a human agent.
        """
        return "Transfer successful"

    # -- functions for initial states and assertions (not tools) -----------------------------
    def assert_task_status(self, task_id: str, expected_status: TaskStatus) -> bool:
        if task_id not in self.db.tasks:
            raise ValueError(f"Task {task_id} not found")
        return self.db.tasks[task_id].status == expected_status

    def assert_number_of_tasks(self, user_id: str, expected_number: int) -> bool:
        if user_id not in self.db.users:
            raise ValueError(f"User {user_id} not found")
        return len(self.db.users[user_id].tasks) == expected_number


class MockUserTools(Toolkit):
    """Tools of the simulated user: their notification inbox."""

    db: MockUserDB

    @tool(ToolType.READ)
    def check_notifications(self) -> list[Notification]:
        """Check your notification inbox.

        Returns:
            All your notifications, read and unread.
        """
        return [self.db.notifications[nid] for nid in self.db.notifications]

    @tool(ToolType.WRITE)
    def dismiss_notification(self, notification_id: str) -> Notification:
        """Dismiss a notification, marking it as read.

        Args:
            notification_id: The id of the notification, such as 'notif_1'.

        Returns:
            The notification after dismissal.
        """
        if notification_id not in self.db.notifications:
            raise ValueError(f"Notification {notification_id} not found")
        notification = self.db.notifications[notification_id]
        notification.status = "read"
        return notification

    def add_notification(self, notification_id: str, message: str, task_id: str | None = None) -> Notification:
        notification = Notification(notification_id=notification_id, message=message, task_id=task_id)
        self.db.notifications[notification_id] = notification
        return notification

    def assert_notification_status(self, notification_id: str, expected_status: str) -> bool:
        if notification_id not in self.db.notifications:
            raise ValueError(f"Notification {notification_id} not found")
        return self.db.notifications[notification_id].status == expected_status
