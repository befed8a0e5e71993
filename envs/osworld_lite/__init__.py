"""osworld-lite: OSWorld-style tasks on real Linux desktop apps, one sandboxed X display per episode.

Importing the package registers the family "osworld-lite" (envs.registry) and every built-in
task with gymnasium as `osworld-lite/<task_id>`. Family options: `task_file` (a JSON file or
folder of the user's tasks), `domain`, `generated` / `generated_seed` (list N generated train
tasks of envs/osworld_lite/generated/ instead of the suite), `screen_width` / `screen_height` (default 1280×720),
`a11y` (include the accessibility tree in observations; off by default), `settle_s` (the
longest a step waits for the screen to settle), `idle_timeout_s` (the longest reset waits for
the apps to finish starting) and `sandbox_dir` (where episode folders are made).
Spare desktops are prewarmed between episodes; OSWORLD_LITE_PREWARM=0 turns that off.

Layout: display.py (Xvfb) · xauth.py (X cookies) · sandbox.py (bubblewrap) + sandbox_helpers/
(in-sandbox supervisor, AT-SPI dump, DevTools forwarder) · session.py (one desktop) · pool.py
(spare desktops) · apps.py · windows.py · input.py (XTEST) · screen.py · a11y.py · cdp.py
(Chromium over CDP) · actions.py + pyautogui_parser.py + executor.py · config_steps.py ·
getters.py · env.py (the gymnasium env) · task.py, evaluator.py, metrics/, fixtures/, suite.py,
tasks/ (the task schema, scoring and the built-in suite).
"""
from __future__ import annotations

import logging
import os
import shutil
from typing import Any

import gymnasium as gym

from envs.registry import register_family
from envs.types import TaskInfo

log = logging.getLogger(__name__)
FAMILY = "osworld-lite"
ENTRY_POINT = "envs.osworld_lite.env:OSWorldLiteEnv"
ENV_KEYS = ("screen_width", "screen_height", "a11y", "settle_s", "idle_timeout_s", "sandbox_dir")
INSTALL_HINT = ("sudo apt-get install -y xvfb bubblewrap openbox dbus-x11 at-spi2-core python3-pyatspi "
                "libreoffice-calc libreoffice-writer libreoffice-gtk3 mousepad pcmanfm xterm chromium "
                "(or: make apt)")


class OSWorldLiteFamily:
    name = FAMILY
    description = "OSWorld-style desktop tasks (LibreOffice, Chromium, terminal, editor, files) in bubblewrap sandboxes"

    def list_tasks(self, **options: Any) -> list[TaskInfo]:
        from envs.osworld_lite.suite import load_tasks

        if options.get("generated"):
            # `generated: N` lists N generated train tasks instead of the suite (seed: `generated_seed`).
            from envs.osworld_lite.generated import generate_tasks

            tasks = generate_tasks(int(options["generated"]), int(options.get("generated_seed") or 0))
            domain = options.get("domain")
            return [t.to_task_info() for t in tasks if not domain or t.domain == domain]
        return [t.to_task_info() for t in load_tasks(options.get("task_file"), options.get("domain"))]

    def make(self, task_id: str, **options: Any) -> gym.Env:
        from envs.osworld_lite.env import OSWorldLiteEnv
        from envs.osworld_lite.suite import get_task

        from envs.osworld_lite.generated import get_generated_task, is_generated_id

        # A generated id names its family, seed and index: the task is rebuilt from it alone.
        task = get_generated_task(task_id) if is_generated_id(task_id) else get_task(task_id, options.get("task_file"))
        kwargs = {k: options[k] for k in ENV_KEYS if options.get(k) is not None}
        return OSWorldLiteEnv(task, **kwargs)

    def preflight(self, **options: Any) -> list[str]:
        from envs.osworld_lite.apps import missing_programs

        problems = []
        missing = missing_programs()
        if missing:
            problems.append(f"missing programs: {', '.join(missing)}. Install them with: {INSTALL_HINT}")
        if not os.path.exists("/usr/bin/python3"):
            problems.append("Debian's /usr/bin/python3 is missing (the sandbox helpers need it)")
        elif shutil.which("bwrap") and not _bwrap_works():
            problems.append("bubblewrap cannot create user namespaces here (check "
                            "/proc/sys/kernel/unprivileged_userns_clone or the container's seccomp policy)")
        try:
            self.list_tasks(**options)
        except Exception as exc:
            problems.append(f"tasks cannot be loaded: {exc}")
        return problems


def _bwrap_works() -> bool:
    import subprocess

    from envs.osworld_lite.sandbox import _host_uid

    _, _, prefix = _host_uid()
    cmd = ["/usr/bin/env", "-i", *prefix, shutil.which("bwrap") or "bwrap", "--unshare-user", "--unshare-net",
           "--unshare-pid", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib",
           "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "/usr/bin/true"]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _register_gym_ids() -> None:
    try:
        from envs.osworld_lite.suite import load_builtin_tasks

        tasks = load_builtin_tasks()
    except Exception as exc:  # a broken built-in file must not break `import envs`
        log.warning("osworld-lite built-in tasks not registered with gymnasium: %s", exc)
        return
    for task in tasks:
        env_id = f"{FAMILY}/{task.id}"
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=ENTRY_POINT, kwargs={"task_id": task.id})


register_family(OSWorldLiteFamily())
_register_gym_ids()
