"""EWMH window queries and the window manager's configuration (openbox in the sandbox)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from Xlib import X
from Xlib.error import XError
from Xlib.protocol import event as xevent


def client_list(dpy: Any) -> list[int]:
    """Managed top-level windows, as the window manager lists them (_NET_CLIENT_LIST)."""
    root = dpy.screen().root
    prop = root.get_full_property(dpy.intern_atom("_NET_CLIENT_LIST"), X.AnyPropertyType)
    return list(prop.value) if prop else []


def window_info(dpy: Any) -> list[dict[str, Any]]:
    """[{"id", "name", "class"}] of the managed windows (names from _NET_WM_NAME, UTF-8)."""
    out = []
    utf8 = dpy.intern_atom("UTF8_STRING")
    net_name = dpy.intern_atom("_NET_WM_NAME")
    for wid in client_list(dpy):
        win = dpy.create_resource_object("window", wid)
        try:
            prop = win.get_full_property(net_name, utf8)
            name = prop.value.decode(errors="replace") if prop else (win.get_wm_name() or "")
            cls = win.get_wm_class() or ("", "")
        except XError:
            continue  # closed meanwhile
        out.append({"id": wid, "name": name if isinstance(name, str) else str(name), "class": list(cls)})
    return out


def activate(dpy: Any, window_name: str, strict: bool = False, by_class: bool = False) -> bool:
    """Ask the window manager to focus and raise the first matching window (OSWorld's
    activate_window: substring match unless `strict`, on the class instead of the title
    with `by_class`). False when no window matches."""
    for info in window_info(dpy):
        hay = " ".join(info["class"]) if by_class else info["name"]
        if (hay == window_name) if strict else (window_name.lower() in hay.lower()):
            root = dpy.screen().root
            win = dpy.create_resource_object("window", info["id"])
            ev = xevent.ClientMessage(window=win, client_type=dpy.intern_atom("_NET_ACTIVE_WINDOW"),
                                      data=(32, [2, X.CurrentTime, 0, 0, 0]))
            root.send_event(ev, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
            dpy.sync()
            return True
    return False


OPENBOX_RC = Path("/etc/xdg/openbox/rc.xml")
# Application windows open maximised, as on OSWorld's desktop; dialogs keep their size.
_MAXIMIZE_RULE = '<applications><application type="normal"><maximized>true</maximized></application>'


def write_openbox_config(dest: Path) -> None:
    try:
        rc = OPENBOX_RC.read_text()
    except OSError:
        rc = '<openbox_config xmlns="http://openbox.org/3.4/rc"><applications></applications></openbox_config>'
    dest.write_text(rc.replace("<applications>", _MAXIMIZE_RULE, 1))


def close(dpy: Any, window_name: str, strict: bool = False, by_class: bool = False) -> bool:
    """Ask the window manager to close the first matching window (OSWorld's close_window;
    matching as in `activate`). False when no window matches."""
    for info in window_info(dpy):
        hay = " ".join(info["class"]) if by_class else info["name"]
        if (hay == window_name) if strict else (window_name.lower() in hay.lower()):
            win = dpy.create_resource_object("window", info["id"])
            ev = xevent.ClientMessage(window=win, client_type=dpy.intern_atom("_NET_CLOSE_WINDOW"),
                                      data=(32, [X.CurrentTime, 2, 0, 0, 0]))
            dpy.screen().root.send_event(ev, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
            dpy.sync()
            return True
    return False
