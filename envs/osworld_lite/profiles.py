"""Ready-made application profiles copied into each episode's HOME.

VLC gets a vlcrc that answers its first-start privacy question and turns on its HTTP interface
(as OSWorld's VM image, where VLC has been started and set up), at ~/.config/vlc/vlcrc, where OSWorld's vlc_config getter reads
it; GIMP (~/.config/GIMP/2.10) and Thunderbird (profiles the tasks unpack) start from nothing.

LibreOffice spends a second or more building its user profile on first start and then shows
first-run dialogs (tip of the day, what's new). A template profile is built once per host
(inside a throwaway sandbox, so it holds nothing of the host) and copied into each HOME,
with settings that keep dialogs away and documents in formats the tasks expect.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

from envs.errors import InfrastructureError

log = logging.getLogger(__name__)

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
    """The per-user cache folder. Under a shared /tmp another user could have made the name
    first (a symlink to somewhere else, a folder they can write): such a folder is never used;
    the runner's own unsafe leftover is removed and made again."""
    default = os.path.join(tempfile.gettempdir(), f"osworld-lite-cache-{os.getuid()}")
    chosen = os.environ.get("OSWORLD_LITE_CACHE")
    path = Path(chosen or default)
    if chosen:
        path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
        problem = _unsafe(path)
        if problem is None:
            return path
        st = os.lstat(path)
        if chosen or st.st_uid != os.getuid():  # a folder someone chose is never deleted
            raise InfrastructureError(f"the cache folder {path} {problem}; remove it or set OSWORLD_LITE_CACHE "
                                      "to a folder of your own")
        log.warning("cache folder %s %s: making it again", path, problem)
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    raise InfrastructureError(f"cannot make a safe cache folder at {path}")


def _unsafe(path: Path) -> str | None:
    """Why `path` is not a safe private folder (None when it is)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return "is a symlink"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a folder"
    if st.st_uid != os.getuid():
        return f"belongs to uid {st.st_uid}, not to this runner (uid {os.getuid()})"
    if st.st_mode & 0o022:
        return "is writable by other users"
    return None


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
        result = sandbox.run_in_session(["soffice", "--headless", "--norestore", "--terminate_after_init"],
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


VLCRC_REL = ".config/vlc/vlcrc"
# The first-start question answered, and the HTTP interface on (loopback port 8080, password
# "password") that OSWorld's vlc_playing_info getter reads; every other setting keeps VLC's
# default, which OSWorld's vlcrc metrics assume when a key is absent.
_VLCRC = ("[qt] # Qt interface\nqt-privacy-ask=0\n\n[core] # core program\nextraintf=http\n\n"
          "[lua] # Lua interpreter\nhttp-password=password\n")


GIMP_DIR_REL = ".config/GIMP/2.10"


def gimp_template() -> Path | None:
    """GIMP's user folder as its first start makes it (built once per host, headless, in a
    throwaway sandbox), so an episode's GIMP opens its main window rather than the "User
    Installation" dialog. None when GIMP is not installed."""
    if shutil.which("gimp") is None:
        return None
    cache = _cache_dir()
    target = cache / "gimp-user"
    if (target / "gimprc").exists() or (target / "sessionrc").exists() or (target / "pluginrc").exists():
        return target
    with open(cache / "gimp.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            _build_in_sandbox(["gimp", "-i", "-d", "-f", "-b", "(gimp-quit 0)"], GIMP_DIR_REL, target, "GIMP")
    return target


def _build_in_sandbox(argv: list[str], rel: str, target: Path, what: str) -> None:
    """Run `argv` once in a throwaway sandbox and keep the folder it made at HOME/`rel`."""
    from envs.osworld_lite.display import Display
    from envs.osworld_lite.sandbox import Sandbox

    display = Display(640, 480).start()
    sandbox = Sandbox(display.name, display.socket_path, x_cookie=display.cookie)
    try:
        sandbox.start()
        result = sandbox.run_in_session(argv, timeout=120)
        built = sandbox.home / rel
        if result["returncode"] != 0 or not built.is_dir():
            raise InfrastructureError(f"could not build a {what} profile: {result['stderr'][-400:]}")
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f"{what.lower()}-staging-"))
        shutil.copytree(built, staging / "user", symlinks=True)
        os.rename(staging / "user", target)
        shutil.rmtree(staging, ignore_errors=True)
    finally:
        sandbox.close()
        display.stop()


def install_app_settings(home: Path) -> None:
    """Settings other apps need before their first start (HOME written by the host, before
    anything runs in the sandbox)."""
    vlcrc = home / VLCRC_REL
    if not vlcrc.exists():
        vlcrc.parent.mkdir(parents=True, exist_ok=True)
        vlcrc.write_text(_VLCRC)
    gimp = home / GIMP_DIR_REL
    try:
        template = gimp_template()
    except InfrastructureError as err:  # GIMP then makes its folder itself on first start
        log.warning("no ready GIMP folder: %s", err)
        template = None
    if template is not None and not gimp.exists():
        gimp.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(template, gimp, symlinks=True)


def install_libreoffice_profile(home: Path) -> None:
    """The LibreOffice profile, and the other apps' first-start settings with it (the session
    installs both through this one call, before any app runs)."""
    install_app_settings(home)
    dest = home / LO_PROFILE_REL
    if dest.exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(libreoffice_template(), dest, symlinks=True)
