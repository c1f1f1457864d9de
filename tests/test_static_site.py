"""The built book in a real browser: Debian's chromium driven by playwright, offline.

Serves build/book/_build/html on 127.0.0.1 and opens every chapter: moves its kernel-free
widget's slider and checks the shown panel changed, with no request leaving localhost; also
checks the scorecard and the provenance stamp are on the pages.
"""

import functools
import http.server
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT, require_build

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the browser fixture then reports what is missing
    PlaywrightTimeout = TimeoutError

HTML = ROOT / "build" / "book" / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.build, pytest.mark.browser]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def site():
    require_build(HTML / "index.html", "the built book")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser_page():
    if not Path(CHROMIUM).exists():
        require_build(Path(CHROMIUM), "chromium (make browser)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp()
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        page = ctx.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        yield page, requests
        ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


def _external(urls):
    return [u for u in urls if urlparse(u).hostname not in ("127.0.0.1", "localhost", None)
            and not u.startswith(("data:", "blob:", "about:"))]


CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))


@pytest.mark.parametrize("slug", CHAPTERS)
def test_widget_moves_without_a_kernel_and_nothing_leaves_localhost(site, browser_page, slug):
    page, requests = browser_page
    requests.clear()
    page.goto(f"{site}/chapters/{slug}.html", wait_until="networkidle")
    widgets = page.locator(".gg-kernel-free")
    widgets.first.wait_for(state="visible", timeout=30_000)
    moved = 0
    for w in range(widgets.count()):
        widget = widgets.nth(w)
        # a Stack renders only its selected child: the shown panel is the one <img> in the box
        before = widget.locator("img.widget-image").first.get_attribute("src")
        readout = widget.locator(".widget-readout").first
        label = readout.inner_text()
        widget.locator(".noUi-handle").first.focus()
        page.keyboard.press("End")
        try:  # the slider's own readout: unchanged only when it has a single option
            page.wait_for_function("([el, old]) => el.innerText !== old",
                                   arg=[readout.element_handle(), label], timeout=2_000)
        except PlaywrightTimeout:
            continue
        # the slider moved, so the jslinked Stack must show another panel
        page.wait_for_function(
            "([el, old]) => { const i = el.querySelector('img.widget-image');"
            " return i !== null && i.src !== old; }",
            arg=[widget.element_handle(), before], timeout=10_000)
        moved += 1
    assert moved, f"{slug}: none of its {widgets.count()} kernel-free widgets can move"
    assert not _external(requests), _external(requests)


def test_chapter_page_shows_provenance_and_verdicts(site, browser_page):
    page, requests = browser_page
    page.goto(f"{site}/chapters/rtb.html", wait_until="networkidle")
    text = page.inner_text("main")
    assert "Provenance" in text and "profile ci" in text
    assert "reproduced" in text


def test_scorecard_lists_the_chapters_claims(site, browser_page):
    page, requests = browser_page
    requests.clear()
    page.goto(f"{site}/scorecard.html", wait_until="networkidle")
    text = page.inner_text("main")
    assert "Scorecard" in text and "rtb" in text and "claims:" in text
    assert not _external(requests), _external(requests)
