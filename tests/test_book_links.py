"""Internal links of the built book, checked offline: every local href and src of every page
resolves to a file of _build/html, and every #anchor to an id in the page it points at.
Skipped without a built book (a failure with COURSE_REQUIRE_BROWSER=1, as in CI)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from book_site import BUILD, built_page

LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "audio": "src", "source": "src",
           "video": "src", "iframe": "src"}


class Page(HTMLParser):
    """The ids of a page and the local addresses it refers to."""

    def __init__(self, path: Path):
        super().__init__()
        self.ids, self.refs = set(), []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        address = attrs.get(LINKING.get(tag, ""))
        if address and not urlsplit(address).scheme and not address.startswith("//"):
            self.refs.append(address)


def test_every_internal_link_and_anchor_resolves():
    built_page("book/intro")
    pages = {path.resolve(): Page(path) for path in BUILD.rglob("*.html")
             if "_static" not in path.relative_to(BUILD).parts}  # the theme's templates are no pages
    broken = []
    for path, page in pages.items():
        for ref in page.refs:
            parts = urlsplit(ref)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path.relative_to(BUILD.resolve())}: {ref} (no such file)")
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append(f"{path.relative_to(BUILD.resolve())}: {ref} (no such anchor)")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(sorted(broken)[:40])
