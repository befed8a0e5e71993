"""How the desktop applications are started inside the sandbox.

Tasks name programs the OSWorld way (`libreoffice --calc`, `google-chrome`, `gedit`, …);
`launch_spec` maps them onto the Debian programs installed here and adds what each needs:
GTK3 + the ATK bridge for LibreOffice (so AT-SPI sees it), a TrueType font for xterm, and for
Chromium a DevTools port on the sandbox's loopback (reached from the host through
`cdp.CdpBridge`). `open_argv` picks the application for `open` config steps.
"""
from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import PurePosixPath

CDP_PORT = 9222
CDP_SOCKET = "cdp.sock"          # in the host-only control folder of the episode
A11Y_ENV = {"GTK_MODULES": "gail:atk-bridge", "NO_AT_BRIDGE": "0", "ACCESSIBILITY_ENABLED": "1"}
LIBREOFFICE_ENV = {"SAL_USE_VCLPLUGIN": "gtk3", **A11Y_ENV}

# OSWorld (Ubuntu) program names → the Debian programs installed in osworld-lite.
ALIASES = {
    "libreoffice": "soffice", "localc": "soffice", "lowriter": "soffice", "loimpress": "soffice",
    "google-chrome": "chromium", "google-chrome-stable": "chromium", "chromium-browser": "chromium",
    "chrome": "chromium",
    "gedit": "mousepad", "gnome-text-editor": "mousepad",
    "gnome-terminal": "xterm", "x-terminal-emulator": "xterm",
    "nautilus": "pcmanfm",
}
LO_SHORTCUTS = {"localc": "--calc", "lowriter": "--writer", "loimpress": "--impress"}
CHROMIUM_FLAGS = [
    f"--remote-debugging-port={CDP_PORT}", "--remote-debugging-address=127.0.0.1",
    "--no-first-run", "--no-default-browser-check", "--password-store=basic", "--disable-gpu",
    "--start-maximized", "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--disable-background-networking", "--disable-sync", "--disable-component-update",
    "--user-data-dir=/home/user/.config/chromium",
]
# Flags Chromium must not get from a task: they would move the DevTools port out of reach.
_CHROMIUM_OWNED = ("--remote-debugging-port", "--remote-debugging-address", "--user-data-dir")

OPEN_BY_SUFFIX = {
    **dict.fromkeys((".xlsx", ".xls", ".ods", ".csv", ".tsv"), ["soffice", "--calc", "--norestore", "--nologo"]),
    **dict.fromkeys((".docx", ".doc", ".odt", ".rtf"), ["soffice", "--writer", "--norestore", "--nologo"]),
    **dict.fromkeys((".pptx", ".ppt", ".odp"), ["soffice", "--impress", "--norestore", "--nologo"]),
    **dict.fromkeys((".html", ".htm", ".pdf", ".svg"), ["chromium"]),
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".webp"), ["chromium"]),
}
TEXT_EDITOR = ["mousepad"]
FILE_MANAGER = ["pcmanfm"]


@dataclass
class LaunchSpec:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    app: str = ""                 # the program's canonical name (soffice, chromium, xterm, …)
    gui: bool = True              # expect a new top-level window
    chromium: bool = False        # needs the DevTools forwarder

    @property
    def window_timeout(self) -> float:
        return 30.0 if self.app in ("soffice", "chromium") else 10.0


def shell_argv(command: str) -> list[str]:
    return ["/bin/bash", "-c", command]


def launch_spec(command: list[str] | str, shell: bool = False) -> LaunchSpec | None:
    """The sandbox command for a `launch` step; None when the step is a no-op here.

    OSWorld's Chrome tasks also launch `socat tcp-listen:9222 … tcp:localhost:1337` to expose
    the DevTools port; osworld-lite's own forwarder does that job, so such steps are skipped.
    """
    if shell or isinstance(command, str):
        text = command if isinstance(command, str) else shlex.join(command)
        words = shlex.split(text) if text.strip() else []
        if words and not any(ch in text for ch in "|;&<>$`()") and words[0] in _KNOWN:
            return launch_spec(words)
        return LaunchSpec(shell_argv(text), env=dict(A11Y_ENV), app="shell", gui=False)
    if not command:
        raise ValueError("empty launch command")
    program = PurePosixPath(command[0]).name
    if program == "socat":
        return None
    canonical = ALIASES.get(program, program)
    args = list(command[1:])
    if canonical == "soffice":
        if program in LO_SHORTCUTS:
            args.insert(0, LO_SHORTCUTS[program])
        for flag in ("--norestore", "--nologo"):
            if flag not in args:
                args.append(flag)
        return LaunchSpec(["soffice", *args], env=dict(LIBREOFFICE_ENV), app="soffice")
    if canonical == "chromium":
        args = [a for a in args if not a.startswith(_CHROMIUM_OWNED)]
        return LaunchSpec(["chromium", *CHROMIUM_FLAGS, *args], env=dict(A11Y_ENV), app="chromium",
                          chromium=True)
    if canonical == "xterm":
        if "-fa" not in args:
            args = ["-fa", "Monospace", "-fs", "12", *args]
        return LaunchSpec(["xterm", *args], env=dict(A11Y_ENV), app="xterm")
    if canonical in ("mousepad", "pcmanfm"):
        return LaunchSpec([canonical, *args], env=dict(A11Y_ENV), app=canonical)
    return LaunchSpec([canonical, *args], env=dict(A11Y_ENV), app=canonical, gui=canonical in _GUI)


_GUI = {"soffice", "chromium", "xterm", "mousepad", "pcmanfm", "openbox"}
_KNOWN = set(ALIASES) | _GUI | {"socat"}


def open_argv(path: str, is_dir: bool) -> LaunchSpec:
    """The application OSWorld's `open` step would use for this file (by its suffix)."""
    if is_dir:
        base = FILE_MANAGER
    else:
        base = OPEN_BY_SUFFIX.get(PurePosixPath(path).suffix.lower(), TEXT_EDITOR)
    spec = launch_spec([*base, path])
    assert spec is not None
    return spec


def missing_programs() -> list[str]:
    """Programs osworld-lite needs that are not installed on this host."""
    needed = ["Xvfb", "bwrap", "openbox", "dbus-daemon", "xterm", "mousepad", "pcmanfm", "soffice",
              "chromium"]
    return [p for p in needed if shutil.which(p) is None]
