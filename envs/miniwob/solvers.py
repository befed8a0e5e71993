"""Oracle solvers: for each task, a JavaScript body (envs/miniwob/probe.py) that reads the
instance — the utterance and the DOM, as a person reads the screen — and returns the plan.

Only tasks whose whole plan can be read off the first screen are here; tasks that need to see
the page react first (menus that open, pages that load) are left to agents.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from envs.miniwob.probe import Probe

SUBMIT = "click(q('#subbtn'))"

PLANS: dict[str, str] = {
    "click-test": "return [click(q('#subbtn'))];",
    "click-test-2": "return [click(q('#subbtn'))];",
    "click-button": """
        const t = quoted()[0];
        return [click(qa('#area button').find(b => txt(b) === t))];""",
    "click-link": """
        const t = quoted()[0];
        return [click(qa('#area .alink').find(b => txt(b) === t))];""",
    "click-dialog": "return [click(q('.ui-dialog-titlebar button'))];",
    "click-dialog-2": """
        const t = quoted()[0];
        const b = t === 'x' ? q('.ui-dialog-titlebar button') : qa('.ui-dialog-buttonpane button').find(b => txt(b) === t);
        return [click(b)];""",
    "click-checkboxes": """
        const names = U.replace(/^Select /, '').replace(/ and click Submit\\.$/, '');
        const want = names === 'nothing' ? [] : names.split(', ');
        const plan = qa('#boxes label').filter(l => want.includes(txt(l))).map(l => click(q('input', l)));
        return [...plan, click(q('#subbtn'))];""",
    "focus-text": "return [click(q('#tt'))];",
    "focus-text-2": """
        const n = {'1st': 0, '2nd': 1, '3rd': 2}[U.match(/(1st|2nd|3rd)/)[1]];
        return [click(qa('#area input')[n])];""",
    "enter-text": f"return [click(q('#tt')), ['type', bold()[0]], {SUBMIT}];",
    "enter-text-2": f"""
        const t = bold()[0];
        return [click(q('#tt')), ['type', U.includes('upper case') ? t.toUpperCase() : t.toLowerCase()], {SUBMIT}];""",
    "enter-password": f"""
        const p = bold()[0];
        return [click(q('#password')), ['type', p], click(q('#verify')), ['type', p], {SUBMIT}];""",
}


def _solver(body: str) -> Callable[[Probe], list[dict[str, Any]]]:
    return lambda probe: probe.actions(probe.plan(body))


SOLVERS: dict[str, Callable[[Probe], list[dict[str, Any]]]] = {t: _solver(b) for t, b in PLANS.items()}
