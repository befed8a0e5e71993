"""Chromium families on a generated intranet site served from the sandbox's loopback: open a
page, search, submit a form, bookmark, close a tab. Each task gets its own site (names, paths,
titles), checked through the browser getters (`active_tab_info`, `open_tabs_info`) or the
profile's Bookmarks file."""
from __future__ import annotations

import html
import random
from dataclasses import dataclass

from envs.osworld_lite.generated import words as w
from envs.osworld_lite.generated.base import (
    DONE, SITE_URL, Ctx, Draft, Family, command, hotkey, press, rule, site_steps, tree_writer, typing, wait,
)

APPS = ["chrome"]
STYLE = "body{font-family:sans-serif;margin:2em;max-width:50em} td,th{padding:4px 12px;text-align:left}"


def page(title: str, body: str) -> str:
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n"
            "<p><a href=\"/index.html\">Home</a></p>\n</body></html>\n")


@dataclass
class Site:
    name: str                       # e.g. "Harrowgate Hub"
    pages: dict[str, str]           # path -> title of the topic pages
    files: dict[str, str]           # every file of the site

    def url(self, path: str) -> str:
        return f"{SITE_URL}/{path}"


def make_site(rng: random.Random, extra: dict[str, str] | None = None) -> Site:
    """An intranet with 4-7 topic pages under generated paths, a search page and `extra` files."""
    name = f"{rng.choice(w.REGIONS)} {rng.choice(['Hub', 'Portal', 'Intranet', 'Workspace', 'Commons'])}"
    topics = rng.sample(w.TOPICS, rng.randint(4, 7))
    pages: dict[str, str] = {}
    for topic in topics:
        title = topic[4:].capitalize()
        folder = rng.choice(["", "info/", "news/", "wiki/", "teams/"])
        pages[f"{folder}{w.slug(title)}-{rng.randint(1, 99)}.html"] = title
    files = {path: page(title, f"<p>{html.escape(w.sentence(rng))}</p><p>{html.escape(w.sentence(rng))}</p>")
             for path, title in pages.items()}
    links = "".join(f"<li><a href=\"/{p}\">{html.escape(t)}</a></li>" for p, t in pages.items())
    files["index.html"] = page(name, f"<ul>{links}<li><a href=\"/search.html\">Search</a></li></ul>")
    files["search.html"] = page(f"Search {name}", """
<form action="/search.html" method="get"><input name="q" autofocus placeholder="Search">
<button type="submit">Search</button></form>""")
    files.update(extra or {})
    return Site(name, pages, files)


def _draft(ctx: Ctx, site: Site, urls: list[str], instruction: str, evaluator: dict, solution: list) -> Draft:
    src = ctx.fixture("site", tree_writer(site.files))
    return Draft(instruction, site_steps(src, urls), evaluator, solution, APPS, "chromium")


def _goto(url: str) -> list:
    return [hotkey("ctrl", "l"), wait(0.3), typing(url + "\n"), wait(1.5)]


def _url_rule(*patterns: str) -> dict:
    return {"func": "is_expected_url_pattern_match", "result": {"type": "active_tab_info"},
            "expected": rule(expected=list(patterns))}


def open_page(rng: random.Random, ctx: Ctx) -> Draft:
    site = make_site(rng)
    path = rng.choice(sorted(site.pages))
    title = site.pages[path]
    instruction = rng.choice([
        "Go to the page about \"{t}\" on the {s} in the browser.",
        "In the open browser, navigate to the {s} page titled \"{t}\".",
    ]).format(t=title, s=site.name)
    pattern = "^" + site.url(path).replace(".", "\\.") + "$"
    return _draft(ctx, site, [site.url("index.html")], instruction, _url_rule(pattern), [*_goto(site.url(path)), DONE])


def search_site(rng: random.Random, ctx: Ctx) -> Draft:
    site = make_site(rng)
    query = rng.sample(w.WORDS, rng.randint(2, 3))
    instruction = rng.choice([
        "Use the search page of the {s} to search for \"{q}\".",
        "Search the {s} for \"{q}\" in the browser.",
    ]).format(s=site.name, q=" ".join(query))
    pattern = "/search\\.html\\?q=" + "(\\+|%20)".join(query) + "$"
    return _draft(ctx, site, [site.url("search.html")], instruction, _url_rule(pattern),
                  [*_goto(site.url("search.html?q=" + "+".join(query))), DONE])


FORMS = {
    "room": ("Book a meeting room", [("booker", "Your name"), ("room", "Room"), ("hours", "Hours")]),
    "leave": ("Request leave", [("employee", "Your name"), ("days", "Days"), ("reason", "Reason")]),
    "repair": ("Report a repair", [("reporter", "Your name"), ("location", "Location"), ("issue", "Issue")]),
}


def submit_form(rng: random.Random, ctx: Ctx) -> Draft:
    kind = rng.choice(sorted(FORMS))
    title, fields = FORMS[kind]
    values = {"booker": w.person(rng), "employee": w.person(rng), "reporter": w.person(rng),
              "room": f"{rng.choice(w.WORDS).title()} {rng.randint(1, 9)}", "hours": str(rng.randint(1, 8)),
              "days": str(rng.randint(1, 15)), "reason": f"{rng.choice(['Family', 'Moving', 'Course', 'Travel'])} {rng.choice(w.MONTHS)}",
              "location": f"{rng.choice(['Floor', 'Wing', 'Room'])} {rng.randint(1, 40)}",
              "issue": f"{rng.choice(['Broken', 'Leaking', 'Noisy', 'Stuck'])} {rng.choice(['window', 'tap', 'door', 'radiator', 'blind'])}"}
    form_path = f"forms/{kind}-{rng.randint(10, 99)}.html"
    done = f"forms/{kind}-sent.html"
    inputs = "".join(f"<p><label>{label} <input name=\"{key}\"{' autofocus' if i == 0 else ''}></label></p>"
                     for i, (key, label) in enumerate(fields))
    extra = {form_path: page(title, f"<form action=\"/{done}\" method=\"get\">{inputs}"
                                    "<p><button type=\"submit\">Send</button></p></form>"),
             done: page("Sent", "<p>Thank you, we received your request.</p>")}
    site = make_site(rng, extra)
    spelled = ", ".join(f"{label.lower().replace('your ', '')} {values[key]}" for key, label in fields)
    instruction = rng.choice([
        "On the {s}, fill in and send the \"{t}\" form (it is at {u}): {v}.",
        "Submit the {s}'s \"{t}\" form at {u} with {v}.",
    ]).format(s=site.name, t=title, u=site.url(form_path), v=spelled)
    patterns = [f"/{done.replace('.', chr(92) + '.')}\\?"] + [
        f"{key}=" + "(\\+|%20)".join(values[key].split()) for key, _ in fields]
    solution = [*_goto(site.url(form_path)), wait(0.5), typing("\t".join(values[k] for k, _ in fields) + "\n"),
                wait(1.5), DONE]
    return _draft(ctx, site, [site.url("index.html")], instruction, _url_rule(*patterns), solution)


def bookmark_page(rng: random.Random, ctx: Ctx) -> Draft:
    site = make_site(rng)
    path = rng.choice(sorted(site.pages))
    instruction = rng.choice([
        "Bookmark the \"{t}\" page of the {s} that is open in the browser.",
        "Add the open page \"{t}\" ({s}) to the browser's bookmarks.",
    ]).format(t=site.pages[path], s=site.name)
    evaluator = {"func": "check_include_exclude",
                 "result": command("sleep 1; cat ~/.config/chromium/Default/Bookmarks 2>/dev/null"),
                 "expected": rule(include=[site.url(path)], exclude=[])}
    solution = [wait(1.0), hotkey("ctrl", "d"), wait(1.5), press("enter"), wait(4.0), DONE]
    return _draft(ctx, site, [site.url(path)], instruction, evaluator, solution)


def close_tab(rng: random.Random, ctx: Ctx) -> Draft:
    site = make_site(rng)
    paths = rng.sample(sorted(site.pages), rng.randint(3, 4))
    j = rng.randrange(len(paths))
    urls = [site.url(p) for p in paths]
    # open_tabs_info gives [{"title", "url"}]; check_include_exclude tests membership in it.
    tabs = [{"title": site.pages[p], "url": u} for p, u in zip(paths, urls)]
    instruction = rng.choice([
        "Close the browser tab showing \"{t}\" and keep the other {s} tabs open.",
        "I am done with the \"{t}\" page of the {s}: close just that tab.",
    ]).format(t=site.pages[paths[j]], s=site.name)
    evaluator = {"func": "check_include_exclude", "result": {"type": "open_tabs_info"},
                 "expected": rule(include=[t for i, t in enumerate(tabs) if i != j], exclude=[tabs[j]])}
    # Chromium's tab search (ctrl+shift+a) finds the tab by its title wherever it sits in the
    # strip (the position of Chromium's own first tab relative to the opened ones is not fixed).
    solution = [wait(1.0), hotkey("ctrl", "shift", "a"), wait(1.5), typing(site.pages[paths[j]]), wait(1.0),
                press("enter"), wait(1.0), hotkey("ctrl", "w"), wait(1.0), DONE]
    return _draft(ctx, site, urls, instruction, evaluator, solution)


FAMILIES = [
    Family("chrome-open-page", "chromium", open_page, "navigate to a page named by its title"),
    Family("chrome-search-site", "chromium", search_site, "search the site for a phrase"),
    Family("chrome-submit-form", "chromium", submit_form, "fill in and send a three-field form"),
    Family("chrome-bookmark-page", "chromium", bookmark_page, "bookmark the open page"),
    Family("chrome-close-tab", "chromium", close_tab, "close the one tab showing a given page"),
]
