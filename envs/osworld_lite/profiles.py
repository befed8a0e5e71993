"""Ready-made application profiles copied into each episode's HOME.

LibreOffice spends a second or more building its user profile on first start and then shows
first-run dialogs (tip of the day, what's new). A template profile is built once per host
(inside a throwaway sandbox, so it holds nothing of the host) and copied into each HOME,
with settings that keep dialogs away and documents in formats the tasks expect.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from envs.errors import InfrastructureError

LO_PROFILE_REL = ".config/libreoffice/4/user"
# registrymodifications.xcu items: no first-start wizard, tips, update checks, recovery
# prompts, or "keep current format" questions when saving xlsx/docx.
_LO_ITEMS = [
    ("/org.openoffice.Setup/Office", "FirstStartWizardCompleted", "boolean", "true"),
    ("/org.openoffice.Office.Common/Misc", "ShowTipOfTheDay", "boolean", "false"),
    ("/org.openoffice.Office.Common/Misc", "FirstRun", "boolean", "false"),
    ("/org.openoffice.Office.Common/Save/Document", "WarnAlienFormat", "boolean", "false"),
    ("/org.openoffice.Office.Common/Save/Document", "AutoSave", "boolean", "false"),
    ("/org.openoffice.Office.Recovery/AutoSave", "Enabled", "boolean", "false"),
    ("/org.openoffice.Office.Recovery/RecoveryInfo", "Enabled", "boolean", "false"),
    ("/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments",
     "AutoCheckEnabled", "boolean", "false"),
    ("/org.openoffice.Setup/Product", "ooSetupLastVersion", "string", "99.0"),
    ("/org.openoffice.Office.Common/Misc", "UseSystemFileDialog", "boolean", "false"),
]


def _cache_dir() -> Path:
    default = os.path.join(tempfile.gettempdir(), f"osworld-lite-cache-{os.getuid()}")
    base = os.environ.get("OSWORLD_LITE_CACHE") or default
    path = Path(base)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _registry_xcu() -> str:
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>'
        for path, name, _kind, value in _LO_ITEMS)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + items + "\n</oor:items>\n")


def libreoffice_template() -> Path:
    """The cached template profile folder (built on first use, under a lock)."""
    cache = _cache_dir()
    target = cache / "libreoffice-user"
    if (target / "registrymodifications.xcu").exists():
        return target
    with open(cache / "libreoffice.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "registrymodifications.xcu").exists():
            _build_libreoffice_template(target)
    return target


def _build_libreoffice_template(target: Path) -> None:
    from envs.osworld_lite.display import Display
    from envs.osworld_lite.sandbox import Sandbox

    display = Display(640, 480).start()
    sandbox = Sandbox(display.name, display.socket_path, x_cookie=display.cookie)
    try:
        sandbox.start()
        result = sandbox.run(["soffice", "--headless", "--norestore", "--terminate_after_init"],
                             timeout=120, env={"SAL_USE_VCLPLUGIN": "gtk3"})
        built = sandbox.home / LO_PROFILE_REL
        if result["returncode"] != 0 or not built.is_dir():
            raise InfrastructureError(f"could not build a LibreOffice profile: {result['stderr'][-400:]}")
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix="lo-staging-"))
        shutil.copytree(built, staging / "user", symlinks=True)
        (staging / "user" / "registrymodifications.xcu").write_text(_registry_xcu())
        os.rename(staging / "user", target)
        shutil.rmtree(staging, ignore_errors=True)
    finally:
        sandbox.close()
        display.stop()


def install_libreoffice_profile(home: Path) -> None:
    dest = home / LO_PROFILE_REL
    if dest.exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(libreoffice_template(), dest, symlinks=True)
