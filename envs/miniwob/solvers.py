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
CHECKBOXES = f"""
    const names = U.replace(/^Select /, '').replace(/ and click Submit\\.$/, '');
    const want = names === 'nothing' ? [] : names.split(', ');
    return [...qa('#boxes label').filter(l => want.includes(txt(l))).map(l => click(q('input', l))), {SUBMIT}];"""
# multi-layouts / multi-orderings: one form, several layouts; each box is found by its label.
MOVIE_FORM = """
    const [genre, name, year] = qa('#query b').map(txt);
    const label = box => txt(box.closest('p, .row, tr, .field, .ui-entry') || box.parentElement);
    const boxes = qa('#area input[type=text]');
    const box = re => boxes.find(b => re.test(label(b)));
    const go = qa('#area button, #area .final, #area .ui-submit').find(visible);
    return [click(box(/genre/i)), ['type', genre], click(box(/director|name/i)), ['type', name],
            click(box(/year|date/i)), ['type', String(year)], click(go)];"""

PLANS: dict[str, str] = {
    "click-test": "return [click(q('#subbtn'))];",
    "click-test-2": "return [click(q('#subbtn'))];",
    "click-test-transfer": "return [click(byText('#area button', U.match(/button (\\w+)/)[1]))];",
    "click-button": "return [click(byText('#area button', quoted()[0]))];",
    "unicode-test": "return [click(byText('#area button', quoted()[0]))];",
    "click-button-sequence": "return [click(q('#subbtn')), click(q('#subbtn2'))];",
    "click-link": "return [click(byText('#area .alink', quoted()[0]))];",
    "click-dialog": "return [click(q('.ui-dialog-titlebar button'))];",
    "click-dialog-2": """
        const t = quoted()[0];
        return [click(t === 'x' ? q('.ui-dialog-titlebar button') : byText('.ui-dialog-buttonpane button', t))];""",
    "click-checkboxes": CHECKBOXES,
    "click-checkboxes-transfer": CHECKBOXES,
    "click-option": f"""
        const want = U.replace(/^Select /, '').replace(/ and click Submit\\.$/, '');
        return [click(q('input', qa('#boxes label').find(l => txt(l) === want))), {SUBMIT}];""",
    "click-tab": "return [click(q(`#area ul a[href='#tabs-${U.match(/#(\\d)/)[1]}']`))];",
    "click-widget": """
        const want = quoted()[0];
        return [click(qa('#area .widget').map(w => q('input, textarea, button', w))
                                         .find(e => e.getAttribute('data-type') === want))];""",
    "click-color": """
        const want = U.match(/Click on the (.*) colored box/)[1];
        return [click(qa('#area .color').find(d => d.getAttribute('data-color') === want))];""",
    "click-shades": """
        const want = U.match(/shades of (\\w+)/)[1];
        return [...qa('#area span').filter(s => s.getAttribute('data-color') === want).map(click), click(q('#submit'))];""",
    "focus-text": "return [click(q('#tt'))];",
    "focus-text-2": """
        const n = {'1st': 0, '2nd': 1, '3rd': 2}[U.match(/(1st|2nd|3rd)/)[1]];
        return [click(qa('#area input')[n])];""",
    "enter-text": f"return [click(q('#tt')), ['type', bold()[0]], {SUBMIT}];",
    "enter-text-dynamic": f"return [click(q('#tt')), ['type', bold()[0]], {SUBMIT}];",
    "enter-text-2": f"""
        const t = bold()[0];
        return [click(q('#tt')), ['type', U.includes('upper case') ? t.toUpperCase() : t.toLowerCase()], {SUBMIT}];""",
    "enter-password": f"""
        const p = bold()[0];
        return [click(q('#password')), ['type', p], click(q('#verify')), ['type', p], {SUBMIT}];""",
    "login-user": f"""
        const [u, p] = quoted();
        return [click(q('#username')), ['type', u], click(q('#password')), ['type', p], {SUBMIT}];""",
    "enter-date": f"""
        const [m, d, y] = bold()[0].split('/');
        const r = q('#tt').getBoundingClientRect();
        return [['click', r.left + 8, r.top + r.height / 2], ['type', m + d + y], {SUBMIT}];""",
    "enter-time": f"""
        const [, h, mm, ap] = U.match(/Enter (\\d+):(\\d+) ?([AP]M)/);
        const r = q('#tt').getBoundingClientRect();
        return [['click', r.left + 8, r.top + r.height / 2], ['type', ('0' + h).slice(-2) + mm + ap[0]], {SUBMIT}];""",
    "use-spinner": f"""
        const n = +U.match(/Select (-?\\d+)/)[1];
        const b = n > 0 ? q('.ui-spinner-up') : q('.ui-spinner-down');
        return [...Array(Math.abs(n)).fill(0).map(() => click(b)), {SUBMIT}];""",
    "simple-arithmetic": f"""
        const [, a, op, b] = txt(q('#math-problem')).match(/(-?\\d+) ([-+x]) (-?\\d+)/);
        const v = op === '+' ? +a + +b : op === '-' ? a - b : a * b;
        return [click(q('#math-answer')), ['type', String(v)], {SUBMIT}];""",
    "simple-algebra": f"""
        const p = txt(q('#math-problem'));
        let v, m;
        if ((m = p.match(/^x ([-+]) (-?\\d+) = (-?\\d+)$/))) v = m[1] === '+' ? m[3] - m[2] : +m[3] + +m[2];
        else if ((m = p.match(/^(-?\\d+) ([-+]) x = (-?\\d+)$/))) v = m[2] === '+' ? m[3] - m[1] : m[1] - m[3];
        return [click(q('#math-answer')), ['type', String(v)], {SUBMIT}];""",
    "odd-or-even": """
        const plan = qa('#numbers .row').map(r => {
          const n = +txt(q('.display-number', r));
          return click(q(Math.abs(n % 2) === 1 ? '.odd' : '.even', r));
        });
        return [...plan, click(q('#submit'))];""",
    "grid-coordinate": "return [click(qa('svg circle').find(c => c.id === bold()[0]))];",
    "identify-shape": """
        const s = q('#area_svg').lastElementChild;
        const tag = s.tagName.toLowerCase();
        const kind = tag === 'text' ? (/^[0-9]$/.test(txt(s)) ? 'digit' : 'letter')
                   : tag === 'rect' ? 'rectangle' : tag === 'circle' ? 'circle' : 'triangle';
        return [click(q(`#area-buttons button[data-type='${kind}']`))];""",
    "read-table": f"""
        const key = bold()[0];
        const row = qa('#tab tr').find(tr => txt(tr.cells[0]) === key);
        return [click(q('#tt')), ['type', txt(row.cells[1])], {SUBMIT}];""",
    "read-table-2": f"""
        const val = k => txt(qa('#tab tr').find(tr => txt(tr.cells[0]) === k).cells[1]);
        const key = id => txt(q(id)).replace(/:$/, '');
        return [click(q('#tt1')), ['type', val(key('#ll1'))], click(q('#tt2')), ['type', val(key('#ll2'))], {SUBMIT}];""",
    "text-transform": f"""
        return [click(q('#tt')), ['type', qa('#captcha span').map(txt).join('')], {SUBMIT}];""",
    "find-word": f"""
        const pos = bold()[0].match(/(\\d+)/)[1] - 1;
        const word = txt(q('#area p')).split(' ')[pos].replace(/[^a-zA-Z]/g, '');
        return [click(q('#answer-input')), ['type', word], {SUBMIT}];""",
    "copy-paste": f"""
        return [click(q('#to-copy')), ['hotkey', ['ctrl', 'a']], ['hotkey', ['ctrl', 'c']],
                click(q('#answer-input')), ['hotkey', ['ctrl', 'v']], {SUBMIT}];""",
    "copy-paste-2": f"""
        const n = {{'1st': 1, '2nd': 2, '3rd': 3}}[bold()[0]];
        return [click(q('#text-' + n)), ['hotkey', ['ctrl', 'a']], ['hotkey', ['ctrl', 'c']],
                click(q('#answer-input')), ['hotkey', ['ctrl', 'v']], {SUBMIT}];""",
    "multi-orderings": MOVIE_FORM,
    "multi-layouts": MOVIE_FORM,
    "scroll-text": f"""
        const words = q('#text-area').value.trim().split(/\\s+/);
        return [click(q('#answer-input')), ['type', words[words.length - 1].replace(/[^a-zA-Z0-9]/g, '')], {SUBMIT}];""",
    "visual-addition": f"""
        const n = qa('#visual-1 .addition-block').length + qa('#visual-2 .addition-block').length;
        return [click(q('#math-answer')), ['type', String(n)], {SUBMIT}];""",
    "circle-center": f"return [['click', ...C(q('#svg-grid circle'))], {SUBMIT}];",
    "highlight-text": f"return [['tripleclick', ...C(q('#randomText'))], {SUBMIT}];",
    "choose-list": """
        const want = U.match(/^Select (.*) from the list/)[1];
        const sel = q('#options');
        const i = Array.from(sel.options).findIndex(o => txt(o) === want);
        const moves = i - sel.selectedIndex;
        const r = sel.getBoundingClientRect();
        return [['click', r.left + 4, r.top + r.height / 2], ['press', 'escape'],
                ...Array(Math.abs(moves)).fill(['press', moves > 0 ? 'down' : 'up']),
                click(byText('#area button', 'Submit'))];""",
}


def _solver(body: str) -> Callable[[Probe], list[dict[str, Any]]]:
    return lambda probe: probe.actions(probe.plan(body))


SOLVERS: dict[str, Callable[[Probe], list[dict[str, Any]]]] = {t: _solver(b) for t, b in PLANS.items()}
