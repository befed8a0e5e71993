"""Why an OSWorld task cannot run here and now: its blockers, each an exact reason.

A task is runnable when `blockers(task, cache)` is empty. The checks, in order:

* malformed or unsupported setup/postconfig steps (a step type this runtime lacks);
* a Google account (`googledrive` / `login` steps, the `googledrive_file` getter);
* apps: the programs the task names (`related_apps`, `launch` steps, `open`ed files) must be
  installed (the real binary on PATH, LibreOffice's Calc/Writer/Impress modules); VS Code has
  no Debian package;
* GNOME Shell: tasks that read or drive GNOME Shell itself (there is none on this desktop);
* the live web: OSWorld's `proxy: true`, web pages a setup step opens, web addresses in the
  instruction, or browser getters that read pages at web addresses (the sandbox has no network);
* getters and metrics: every getter type and metric name must be registered
  (envs.osworld_lite.getters.GETTERS, envs.osworld_lite.metrics.METRICS), so this list
  shrinks as they land;
* evaluation commands that need procps (`ps`, `pgrep`, `top`), which cannot run in the
  evaluator's process outside the agent's PID namespace, or a service the sandbox lacks
  (`pactl`: PulseAudio, `timedatectl`: systemd);
* assets: every file the task downloads must be in the asset cache.
"""
from __future__ import annotations

import functools
import json
import re
import shlex
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from envs.osworld.assets import AssetCache, relative_path, task_asset_urls
from envs.osworld.task import ACCOUNT_STEPS, DownloadParams, OSWorldTask

LIBREOFFICE_PROGRAM = Path("/usr/lib/libreoffice/program")
# LibreOffice module → the library its Debian package installs.
LIBREOFFICE_MODULES = {"calc": "libsclo.so", "writer": "libswlo.so", "impress": "libsdlo.so"}
# OSWorld's related_apps names → the program (or LibreOffice module) that serves them here.
APP_PROGRAMS = {
    "chrome": "chromium", "google-chrome": "chromium", "chromium": "chromium",
    "libreoffice_calc": "libreoffice:calc", "libreoffice calc": "libreoffice:calc", "calc": "libreoffice:calc",
    "libreoffice_writer": "libreoffice:writer", "writer": "libreoffice:writer",
    "libreoffice_impress": "libreoffice:impress", "impress": "libreoffice:impress",
    "libreoffice": "libreoffice:", "gimp": "gimp", "thunderbird": "thunderbird",
    "vlc": "vlc", "ubuntu_media_player": "vlc", "vscode": "code", "vs_code": "code", "code": "code",
    "os": "xterm", "terminal": "xterm", "picard": "picard",
}
# Programs a `launch` step may name, with the substitute installed here.
PROGRAM_ALIASES = {"google-chrome": "chromium", "google-chrome-stable": "chromium", "libreoffice": "soffice",
                   "nautilus": "pcmanfm", "gnome-terminal": "xterm", "gedit": "mousepad", "code": "code"}
IGNORED_PROGRAMS = {"socat", "pkill", "killall", "sleep", "bash", "sh", "/bin/bash", "python", "python3"}
OPEN_MODULES = {".xlsx": "calc", ".xls": "calc", ".ods": "calc", ".csv": "calc", ".docx": "writer",
                ".doc": "writer", ".odt": "writer", ".pptx": "impress", ".ppt": "impress", ".odp": "impress"}
NO_DEBIAN_PACKAGE = {"code": "VS Code is not packaged by Debian"}

ACCOUNT_GETTERS = {"googledrive_file"}
LOCAL_GETTERS = {"rule", "fixture"}
# Getters that read the browser's pages: they need those pages, which live on the web.
PAGE_GETTERS = {"active_tab_html_parse", "active_tab_info", "page_info", "info_from_website",
                "gotoRecreationPage_and_get_html_content", "pdf_from_url", "active_tab_url_parse",
                "active_url_from_accessTree", "url_dashPart", "url_path_parse", "open_tabs_info",
                "active_tab_url", "active_tab_html"}
GNOME_SHELL_MARKERS = ("gnome-shell", "org.gnome.shell", "gnome-extensions", "gnome-control-center")
PROCPS_COMMAND = re.compile(r"(^|[\s;|&(`$])(ps|pgrep|pidof|top)(\s|$)")
# Programs evaluation commands run that need a service the sandbox does not have.
EVAL_SERVICES = {"pactl": "a PulseAudio server", "timedatectl": "systemd on a system bus"}
URL = re.compile(r"https?://[^\s\"'<>\\)]+")


@functools.lru_cache(maxsize=64)
def _which(program: str) -> str | None:
    return shutil.which(program)


def _libreoffice_module(module: str) -> bool:
    if _which("soffice") is None:
        return False
    return not module or (LIBREOFFICE_PROGRAM / LIBREOFFICE_MODULES[module]).exists()


def _installed(need: str) -> bool:
    if need.startswith("libreoffice:"):
        return _libreoffice_module(need.split(":", 1)[1])
    return _which(need) is not None


def _describe(need: str) -> str:
    if need.startswith("libreoffice:"):
        module = need.split(":", 1)[1]
        return f"LibreOffice {module.capitalize()}" if module else "LibreOffice"
    return need


def _launched_program(command: list[str] | str, shell: bool) -> str | None:
    try:
        words = shlex.split(command) if isinstance(command, str) else list(command)
    except ValueError:
        return None
    words = [w for w in words if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w)]  # VLC_VERBOSE=-1 vlc …
    if not words:
        return None
    program = PurePosixPath(words[0]).name
    if program in IGNORED_PROGRAMS:
        return None
    return PROGRAM_ALIASES.get(program, program)


def _libreoffice_launch(command: list[str] | str) -> list[str]:
    """The LibreOffice modules a launch names: `--calc`/`--writer`/`--impress` or a document."""
    words = command.split() if isinstance(command, str) else [str(c) for c in command]
    modules = [f"libreoffice:{w[2:]}" for w in words if w in ("--calc", "--writer", "--impress")]
    modules += [f"libreoffice:{OPEN_MODULES[PurePosixPath(w).suffix.lower()]}" for w in words
                if PurePosixPath(w).suffix.lower() in OPEN_MODULES]
    return modules or ["libreoffice:"]


def needed_programs(task: OSWorldTask) -> list[str]:
    """What the task's apps need here: programs, or `libreoffice:<module>`."""
    needs: list[str] = []
    for app in task.related_apps:
        need = APP_PROGRAMS.get(app.strip().lower())
        if need:
            needs.append(need)
    for step in task.all_steps():
        params = step.parameters
        if step.type == "launch":
            program = _launched_program(params.command, params.shell)
            if program == "soffice":
                needs += _libreoffice_launch(params.command)
            elif program:
                needs.append(program)
        elif step.type == "open":
            module = OPEN_MODULES.get(PurePosixPath(params.path).suffix.lower())
            if module:
                needs.append(f"libreoffice:{module}")
    return list(dict.fromkeys(needs))


def _step_texts(task: OSWorldTask, *, downloads: bool = False) -> Iterable[str]:
    for step in task.all_steps():
        if isinstance(step.parameters, DownloadParams) and not downloads:
            continue
        yield json.dumps(step.raw.get("parameters", {}) if step.raw else step.parameters.model_dump())


def _web_urls(texts: Iterable[str], cache: AssetCache | None, asset_urls: set[str]) -> list[str]:
    out = []
    for text in texts:
        for url in URL.findall(text):
            url = url.rstrip(".,;")
            if url in asset_urls or "localhost" in url or "127.0.0.1" in url:
                continue
            out.append(url)
    return list(dict.fromkeys(out))


def _short(urls: list[str], n: int = 3) -> str:
    shown = ", ".join(u if len(u) < 70 else u[:67] + "…" for u in urls[:n])
    return shown + (f" (+{len(urls) - n} more)" if len(urls) > n else "")


def known_getters() -> set[str]:
    from envs.osworld_lite.getters import GETTERS

    return set(GETTERS) | LOCAL_GETTERS


def known_metrics() -> set[str]:
    from envs.osworld_lite.metrics import METRICS

    return set(METRICS) | {"infeasible"}


def _evaluation_blockers(task: OSWorldTask) -> list[str]:
    """Getters and metrics this runtime lacks, with the registries' own reasons where they give
    one (getters.UNSUPPORTED, metrics.blocker: unknown options, compare_table rules)."""
    from envs.osworld_lite import getters as lite_getters
    from envs.osworld_lite import metrics as lite_metrics

    out: list[str] = []
    unsupported: dict[str, str] = getattr(lite_getters, "UNSUPPORTED", {})
    unknown_g = sorted({g.type for g in task.evaluator.getter_specs()} - known_getters() - ACCOUNT_GETTERS)
    plain = [g for g in unknown_g if g not in unsupported]
    if plain:
        out.append(f"getter not available: {', '.join(plain)}")
    out += [f"getter not available: {g} ({unsupported[g]})" for g in unknown_g if g in unsupported]
    if task.evaluator.funcs == ["infeasible"] or task.evaluator.shape_problem():
        return out
    why = getattr(lite_metrics, "blocker", None)
    for func, options in zip(task.evaluator.funcs, task.evaluator.options_list):
        if why is not None:
            reason = why(func, options)
        else:
            reason = None if func in known_metrics() else f"metric not available: {func}"
        if reason:
            out.append(reason)
    return list(dict.fromkeys(out))


def blockers(task: OSWorldTask, cache: AssetCache | None) -> list[str]:
    """Every reason the task cannot run here now; [] when it can."""
    out: list[str] = []
    steps = task.all_steps()
    for step in steps:
        if step.problem:
            out.append(f"unsupported: {step.problem}")
    shape = task.evaluator.shape_problem()
    if shape:
        out.append(f"malformed evaluator: {shape}")

    account = sorted({s.type for s in steps if s.type in ACCOUNT_STEPS}
                     | {g.type for g in task.evaluator.getter_specs() if g.type in ACCOUNT_GETTERS})
    if account:
        out.append(f"needs a Google account ({', '.join(account)})")

    for need in needed_programs(task):
        if not _installed(need):
            why = NO_DEBIAN_PACKAGE.get(need)
            out.append(f"app not installed: {_describe(need)}" + (f" ({why})" if why else ""))

    everything = " ".join([*_step_texts(task), json.dumps(task.evaluator.model_dump(exclude={"postconfig"}))])
    gnome = sorted({m for m in GNOME_SHELL_MARKERS if m in everything})
    if gnome:
        out.append(f"needs GNOME Shell ({', '.join(gnome)})")

    asset_urls = set(task_asset_urls(task))
    if task.proxy:
        out.append("needs live web (OSWorld runs it through its web proxy: proxy: true)")
    else:
        opened = _web_urls(_step_texts(task), cache, asset_urls)
        # Web addresses in the instruction are for the agent to visit (even a dataset file:
        # the agent's own download cannot come from the cache).
        told = _web_urls([task.instruction], cache, set())
        if opened:
            out.append(f"needs live web: setup opens {_short(opened)}")
        elif told:
            out.append(f"needs live web: the instruction sends the agent to {_short(told, 2)}")
        else:
            page_getters = sorted({g.type for g in task.evaluator.getter_specs() if g.type in PAGE_GETTERS})
            pages = _web_urls([json.dumps(task.evaluator.model_dump(exclude={"postconfig"}))], cache, asset_urls)
            if page_getters and pages:
                out.append(f"needs live web: {', '.join(page_getters)} reads web pages ({_short(pages, 2)})")

    out += _evaluation_blockers(task)

    eval_text = " ".join(_command_text(g.as_dict().get("command")) for g in task.evaluator.getter_specs()
                         if g.type in ("vm_command_line", "vm_command_error"))
    for program, service in EVAL_SERVICES.items():
        if re.search(rf"(^|[\s;|&(]){program}(\s|$)", eval_text):
            out.append(f"evaluation command needs {service} ({program}), which the sandbox has not")
    procps = [g for g in task.evaluator.getter_specs()
              if g.type in ("vm_command_line", "vm_command_error")
              and PROCPS_COMMAND.search(_command_text(g.as_dict().get("command")))]
    if procps:
        out.append("evaluation command uses procps (ps/pgrep), which cannot run where evaluation commands run")

    if cache is not None:
        missing = [u for u in asset_urls if not _cache_has(cache, u)]
        if missing:
            out.append(f"{len(missing)} of {len(asset_urls)} assets missing from the cache {cache.root}")
    else:
        if asset_urls:
            out.append(f"{len(asset_urls)} assets needed and no asset cache given")
    return out


def _cache_has(cache: AssetCache, url: str) -> bool:
    try:
        relative_path(url)
    except ValueError:
        return False
    return cache.has(url)


def _command_text(command: object) -> str:
    if isinstance(command, list):
        return " ".join(str(c) for c in command)
    return str(command or "")
