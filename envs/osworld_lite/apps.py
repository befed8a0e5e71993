"""How the desktop applications are started inside the sandbox.

Tasks name programs the OSWorld way (`libreoffice --calc`, `google-chrome`, `gedit`,
`/usr/bin/thunderbird`, `VLC_VERBOSE=-1 vlc …`); `launch_spec` maps them onto the Debian
programs installed here and adds what each needs: GTK3 + the ATK bridge for LibreOffice (so
AT-SPI sees it), a TrueType font for xterm, and for Chromium a DevTools port on the sandbox's
loopback (reached from the host through `cdp.CdpBridge`). GIMP, Thunderbird and VLC are
Debian's own builds; leading `NAME=value` words of a shell command become the program's
environment. VS Code is not in Debian: `code` is not installed, and tasks that launch it are
blocked. `open_argv` picks the application for `open` config steps.
"""
from __future__ import annotations

import re
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
    "gimp-2.10": "gimp", "cvlc": "vlc",
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
    def splash_titles(self) -> tuple[str, ...]:
        """Titles of windows the app shows before it is ready for work."""
        return _SPLASH.get(self.app, ())

    @property
    def window_timeout(self) -> float:
        return 30.0 if self.app in _SLOW_START else 10.0


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
        assignments = _leading_assignments(words)
        rest = words[len(assignments):]
        if rest and not any(ch in text for ch in "|;&<>$`()") and PurePosixPath(rest[0]).name in _KNOWN:
            spec = launch_spec(rest)
            if spec is not None:
                spec.env.update(assignments)
            return spec
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
    env = dict(A11Y_ENV)
    if canonical == "thunderbird":
        env["GNOME_ACCESSIBILITY"] = "1"  # Gecko exposes its tree on AT-SPI only when asked
    return LaunchSpec([canonical, *args], env=env, app=canonical, gui=canonical in _GUI)


_GUI = {"soffice", "chromium", "xterm", "mousepad", "pcmanfm", "openbox", "gimp", "thunderbird", "vlc"}
_SPLASH = {"gimp": ("GIMP Startup", "GIMP User Installation")}
_SLOW_START = {"soffice", "chromium", "gimp", "thunderbird"}
_KNOWN = set(ALIASES) | _GUI | {"socat"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _leading_assignments(words: list[str]) -> dict[str, str]:
    """`VLC_VERBOSE=-1 vlc …`: the NAME=value words before the program."""
    out: dict[str, str] = {}
    for word in words:
        if not _ASSIGNMENT.match(word):
            break
        name, _, value = word.partition("=")
        out[name] = value
    return out


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


# The programs OSWorld's task domains need, by the name tasks launch them with, and the
# Debian package that provides each (None: Debian has none).
DOMAIN_PROGRAMS: dict[str, tuple[str, str | None]] = {
    "libreoffice_impress": ("soffice", "libreoffice-impress"),
    "gimp": ("gimp", "gimp"),
    "thunderbird": ("thunderbird", "thunderbird"),
    "vlc": ("vlc", "vlc"),
    "vs_code": ("code", None),
}


def program_installed(program: str) -> bool:
    """Whether a program a task launches (by OSWorld's name) is installed here."""
    canonical = ALIASES.get(PurePosixPath(program).name, PurePosixPath(program).name)
    if canonical == "soffice" and program in LO_SHORTCUTS:
        return shutil.which("soffice") is not None
    return shutil.which(canonical) is not None
