"""Every chapter of the built book as a learner sees it, in headless Chromium.

The pages of ``_build/html`` (``make book``) are served on localhost and opened in the system's
Chromium, driven by Playwright (which downloads no browser). Requests that leave localhost are
blocked, as offline; the outside scripts a page asks for are listed, not counted as errors, but
the maths must render without them (MathJax is served from the built book). Chapters 8 to 12 are
also read for comfort: no output block taller than the screen, and a table too wide for the
column keeps its key column (the first accuracy) in view. One screenshot per chapter goes to
``_build/screenshots/``. Without a built book or Chromium the tests are skipped with the reason;
``COURSE_REQUIRE_BROWSER=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urljoin

import pytest
import yaml

from book_site import BUILD, CHAPTERS, PAGES, built_page, unavailable
from conftest import ROOT
from course_utils import plots

SCREENSHOTS = ROOT / "_build" / "screenshots"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")  # Debian, Ubuntu, GitHub's runners
FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}  # a laptop screen: the CSS fits 90 code characters here
MAX_PAGE_BYTES = 3_000_000  # a chapter page with its figures and media
MAX_EXCERPT_SECONDS = 10.0  # a player embeds a short excerpt, not a 30-s clip
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())

INSPECT = """() => {
  const column = document.querySelector('article.bd-article').getBoundingClientRect();
  const inside = el => { const r = el.getBoundingClientRect();
                         return r.left >= column.left - 1 && r.right <= column.right + 1; };
  const first = el => el.textContent.trim().split('\\n')[0].slice(0, 60);
  const overflowing = [];
  for (const pre of document.querySelectorAll('div.cell_input pre')) {
    const wrap = pre.style.whiteSpace;
    pre.style.whiteSpace = 'pre';  // unwrapped: do the lines fit as written?
    const fits = pre.scrollWidth <= pre.clientWidth + 1;
    pre.style.whiteSpace = wrap;
    if (!fits || !inside(pre)) overflowing.push('code cell: ' + first(pre));
  }
  for (const pre of document.querySelectorAll('div.cell_output pre'))
    if (pre.scrollWidth > pre.clientWidth + 1 || !inside(pre)) overflowing.push('output: ' + first(pre));
  const tables = [...document.querySelectorAll('article.bd-article table')];
  for (const table of tables) if (!inside(table)) overflowing.push('table: ' + first(table));
  if (document.documentElement.scrollWidth > window.innerWidth) overflowing.push('the page scrolls sideways');
  const link = selector => { const a = document.querySelector(selector); return a && a.href; };
  return {
    overflowing,
    scrolling_tables: tables.filter(t => t.scrollWidth > t.clientWidth + 1).map(first),
    figures: [...document.querySelectorAll('article.bd-article img')].map(img => ({
      src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
      width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height,
      inside: inside(img)})),
    audio: [...document.querySelectorAll('audio')].map(a => ({duration: a.duration, ready: a.readyState})),
    math: document.querySelectorAll('article.bd-article .math').length,
    raw_math: [...document.querySelectorAll('article.bd-article .math')]
      .filter(m => !m.querySelector('mjx-container') && !m.closest('mjx-container'))
      .map(m => m.textContent.slice(0, 60)),
    tall_outputs: [...document.querySelectorAll('div.cell_output pre, div.cell_output table')]
      .filter(el => el.getBoundingClientRect().height > window.innerHeight).map(first),
    hidden_keys: tables.filter(t => t.scrollWidth > t.clientWidth + 1).filter(t => {
      const heads = [...t.querySelectorAll('thead th')];
      const key = heads.find(th => /accuracy/i.test(th.textContent)) || heads[1] || heads[0];
      return key && key.getBoundingClientRect().right > t.getBoundingClientRect().left + t.clientWidth + 1;
    }).map(first),
    text: document.querySelector('article.bd-article').innerText,
    previous: link('a.left-prev'), next: link('a.right-next'),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
}"""


# Wait (at most 15 s) until MathJax has typeset the page, when the page has maths and MathJax loaded.
MATH_TYPESET = """async () => {
  if (!document.querySelector('.math')) return;
  for (let i = 0; i < 150 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(done => setTimeout(done, 100));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
}"""
READING = [name for name in CHAPTERS if re.search(r"/(0[89]|1[0-2])_", name)]  # chapters 8 to 12


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """The built book on http://127.0.0.1:<free port>/."""
    built_page("book/intro")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(BUILD)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    executable = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if executable is None:
        unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (make install)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def visit(site, browser):
    """Open a page once: what it shows, its errors, the outside requests it wanted; a screenshot."""
    seen = {}

    def open_page(name: str) -> dict:
        if name not in seen:
            built_page(name)
            page = browser.new_page(viewport=VIEWPORT)
            report = {"errors": [], "outside": set()}

            def route(request_route):
                if request_route.request.url.startswith((site, "data:")):
                    request_route.continue_()
                else:
                    report["outside"].add(request_route.request.url)
                    request_route.abort()

            def console(message):
                if message.type == "error" and not message.location.get("url", site).startswith(
                        tuple(report["outside"])):
                    report["errors"].append(f"console: {message.text}")

            page.route("**/*", route)
            page.on("console", console)
            page.on("pageerror", lambda error: report["errors"].append(f"script: {error}"))
            page.on("requestfailed", lambda r: r.url.startswith(site) and report["errors"].append(
                f"failed to load {r.url}"))
            page.on("response", lambda r: r.status >= 400 and report["errors"].append(
                f"HTTP {r.status} for {r.url}"))
            page.goto(urljoin(site, f"{name}.html"), wait_until="load")
            page.wait_for_function("[...document.querySelectorAll('audio')].every(a => a.readyState >= 1)",
                                   timeout=15_000)
            page.evaluate(MATH_TYPESET)
            report.update(page.evaluate(INSPECT))
            report["url"] = page.url
            report["download"] = {link: page.request.get(link) for link in report["links"]
                                  if link.startswith(site) and link.endswith(".ipynb")}
            report["download"] = {link: (r.status, r.text()) for link, r in report["download"].items()}
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{name.split('/')[-1]}.png", full_page=True)
            page.close()
            seen[name] = report
        return seen[name]

    return open_page


def notebook(name: str) -> dict:
    return json.loads((ROOT / f"{name}.ipynb").read_text())


def sources(name: str, kind: str) -> str:
    return "\n".join("".join(c["source"]) for c in notebook(name)["cells"] if c["cell_type"] == kind)


@pytest.mark.parametrize("name", CHAPTERS)
def test_page_renders_without_errors(visit, name):
    report = visit(name)
    assert not report["errors"], f"{name}: " + "\n".join(report["errors"])
    if report["outside"]:
        print(f"{name}: blocked (offline) {sorted(report['outside'])}")


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_figure_loads_with_a_size_inside_the_column(visit, name):
    figures = visit(name)["figures"]
    if "plots." in sources(name, "code"):
        assert figures, f"{name} draws figures but its page shows none"
    bad = [f["src"] for f in figures if not (f["loaded"] and f["width"] > 0 and f["height"] > 0 and f["inside"])]
    assert not bad, f"{name}: figures that did not load, have no size or run past the column: {bad}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_audio_players_where_the_chapter_plays_audio_and_only_short_excerpts(visit, name):
    players = visit(name)["audio"]
    plays = re.search(r"\blisten\(|\bAudio\(", sources(name, "code"))
    assert bool(players) == bool(plays), f"{name}: {len(players)} players, but the chapter plays audio: {bool(plays)}"
    long = [p["duration"] for p in players if not p["duration"] <= MAX_EXCERPT_SECONDS]
    assert not long, f"{name}: players longer than {MAX_EXCERPT_SECONDS} s (or unreadable): {long}"
    assert plots.PLAYER_SECONDS <= MAX_EXCERPT_SECONDS


@pytest.mark.parametrize("name", CHAPTERS)
def test_math_markup_is_present_where_the_chapter_writes_math(visit, name):
    writes_math = re.search(r"\$[^$\n]+\$", re.sub(r"`[^`]*`", "", sources(name, "markdown")))
    math = visit(name)["math"]
    assert bool(math) == bool(writes_math), f"{name}: {math} math elements; the chapter writes math: {bool(writes_math)}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_maths_is_typeset_offline_not_left_as_tex(visit, name):
    raw = visit(name)["raw_math"]
    assert not raw, f"{name}: maths shown as raw TeX (MathJax did not render it offline): {raw[:3]}"


@pytest.mark.parametrize("name", READING)
def test_no_output_block_is_taller_than_the_screen(visit, name):
    tall = visit(name)["tall_outputs"]
    assert not tall, f"{name}: outputs taller than a {VIEWPORT['height']}-pixel screen: {tall}"


@pytest.mark.parametrize("name", READING)
def test_a_table_wider_than_the_column_keeps_its_key_column_in_view(visit, name):
    hidden = visit(name)["hidden_keys"]
    assert not hidden, f"{name}: tables whose accuracy (or first) column is scrolled out of view: {hidden}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_navigation_download_and_launch_links(visit, name):
    report = visit(name)
    where = PAGES.index(name)
    for link, neighbour in (("previous", PAGES[where - 1]), ("next", PAGES[where + 1] if where + 1 < len(PAGES) else None)):
        expected = None if neighbour is None else urljoin(report["url"], f"/{neighbour}.html")
        assert report[link] == expected, f"{name}: the {link} link goes to {report[link]}, not {expected}"
    download = [link for link in report["download"] if link.endswith(f"_sources/{name}.ipynb")]
    assert download, f"{name}: no link to download the notebook"
    status, text = report["download"][download[0]]
    assert status == 200 and "cells" in json.loads(text)
    repository, launch = CONFIG["repository"], CONFIG["launch_buttons"]
    if not repository["url"]:  # no repository setting, no launch buttons (test_launch_buttons.py)
        launched = [link for link in report["links"] if link.startswith((launch["binderhub_url"], launch["colab_url"]))]
        assert not launched, f"{name}: launch links without a repository setting: {launched}"
        return
    owner_repo = repository["url"].removeprefix("https://github.com/")
    binder = f"{launch['binderhub_url']}/v2/gh/{owner_repo}/{repository['branch']}?urlpath=lab/tree/{name}.ipynb"
    colab = f"{launch['colab_url']}/github/{owner_repo}/blob/{repository['branch']}/{name}.ipynb"
    for button in (binder, colab):
        assert button in report["links"], f"{name}: no launch link {button}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_code_cells_and_tables_stay_inside_the_column(visit, name):
    report = visit(name)
    assert not report["overflowing"], f"{name}: past the content column:\n" + "\n".join(report["overflowing"])
    if report["scrolling_tables"]:
        print(f"{name}: tables that scroll inside their own box: {report['scrolling_tables']}")


@pytest.mark.parametrize("name", CHAPTERS)
def test_page_says_what_it_was_executed_on(visit, name):
    line = re.search(r"Executed (on .+|without a data set) in the \w+ profile in .+", visit(name)["text"])
    assert line, f"{name}: no execution line (print(execution_line()) in the last cell)"
    print(f"{name}: {line.group(0)}")


@pytest.mark.parametrize("name", CHAPTERS)
def test_page_weight(name):
    page = built_page(name)
    html = page.read_text(encoding="utf-8")
    media = {(page.parent / src).resolve() for src in re.findall(r'<(?:img|audio|video|source)[^>]*\ssrc="([^":]+)"', html)}
    sizes = {"html": page.stat().st_size, "media": sum(path.stat().st_size for path in media)}
    total = sum(sizes.values())
    print(f"{name}: {total / 1e6:.2f} MB (HTML {sizes['html'] / 1e6:.2f} MB with its inlined players, "
          f"{len(media)} files {sizes['media'] / 1e6:.2f} MB)")
    assert total <= MAX_PAGE_BYTES, f"{name} weighs {total / 1e6:.1f} MB, over {MAX_PAGE_BYTES / 1e6:.0f} MB"
