"""The page as text with element ids (`bid`), for agents that read instead of look.

Every visible element gets a `bid` attribute (BrowserGym's name for its element ids) that stays
fixed for the episode, so `click('12')` names the element shown as `[12]`. One line per
element: `[bid] tag#id.class 'own text' value=… checked focused`, indented by depth. MiniWoB's
own overlays (the reward display, the sync cover, the click canvas) are left out, as
BrowserGym removes them.
"""
from __future__ import annotations

MAX_CHARS = 20_000

DOM_TEXT_JS = r"""
(maxChars) => {
  const skip = new Set(['reward-display', 'sync-task-cover', 'click-canvas']);
  const lines = [];
  let next = window.__miniwobNextBid || 0;
  let size = 0;
  const walk = (el, depth) => {
    if (size > maxChars || skip.has(el.id)) return;
    const tag = el.tagName.toLowerCase();
    if (['script', 'style', 'head', 'meta', 'link', 'title', 'noscript'].includes(tag)) return;
    const style = getComputedStyle(el);
    if (style.display === 'none') return;
    const rect = el.getBoundingClientRect();
    const shown = style.visibility !== 'hidden' && rect.width > 0 && rect.height > 0;
    if (!el.hasAttribute('bid')) el.setAttribute('bid', String(next++));
    if (shown) {
      let label = tag;
      if (el.id) label += '#' + el.id;
      if (typeof el.className === 'string' && el.className.trim())
        label += '.' + el.className.trim().split(/\s+/).join('.');
      let text = '';
      for (const child of el.childNodes)
        if (child.nodeType === 3) text += child.data;
      text = text.replace(/\s+/g, ' ').trim();
      let line = '  '.repeat(depth) + '[' + el.getAttribute('bid') + '] ' + label;
      if (text) line += ' ' + JSON.stringify(text.slice(0, 200));
      if (tag === 'input' || tag === 'textarea' || tag === 'select') {
        if (el.type) line += ' type=' + el.type;
        if (el.type === 'checkbox' || el.type === 'radio') line += el.checked ? ' checked' : ' unchecked';
        else line += ' value=' + JSON.stringify(String(el.value).slice(0, 200));
      }
      if (tag === 'option' && el.selected) line += ' selected';
      if (document.activeElement === el) line += ' focused';
      lines.push(line);
      size += line.length + 1;
    }
    for (const child of el.children) walk(child, shown ? depth + 1 : depth);
  };
  walk(document.body, 0);
  window.__miniwobNextBid = next;
  return lines.join('\n').slice(0, maxChars);
}
"""
