"""Browser test: the real server (``streamlit run dashboards/app.py`` on 127.0.0.1, a free port)
on the hand-made release of tests/test_dashboard_pages.py, every page
loaded in Debian's headless Chromium through Playwright (Korean; English through the sidebar
navigation test and, for every page, tests/test_dashboard_pages.py), a screenshot of each saved to
``screenshots/`` (gitignored; ``AXMETER_SCREENSHOTS`` names another folder).

Skips, saying why, when /usr/bin/chromium or the playwright package is missing. Never
downloads a browser: ``apt-get install -y chromium fonts-nanum`` (Hangul needs fonts-nanum).

To refresh the screenshots on other data (e.g. the demo ministry) by hand:

    AXMETER_HOME=/path/with/published .venv/bin/python -m tests.test_dashboard_browser screenshots/
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboards" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# (url path, file name stem): every page of dashboards/app.py PAGES
PAGES = (
    ("", "overview"),  # the default page is served at the root
    ("units", "units"),
    ("features", "features"),
    ("productivity", "productivity"),
    ("training", "training"),
    ("governance", "governance"),
    ("quality", "quality"),
    ("definitions", "definitions"),
)


def unavailable_reason() -> str | None:
    """Why a browser test cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install it with `apt-get install -y chromium fonts-nanum`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def dashboard_server(home: Path, port: int | None = None, timeout: float = 60) -> Iterator[str]:
    """``streamlit run dashboards/app.py`` on 127.0.0.1 with ``AXMETER_HOME=home``; yields its URL."""
    port = port or free_port()
    env = {**os.environ, "AXMETER_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    process = subprocess.Popen(command, cwd=str(ROOT), env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}: {process.stdout.read()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer on {url} within {timeout} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# The app has finished a run and every chart has drawn.
_READY = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector('h1')) return false;
  const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
  for (const chart of charts) { if (!chart.querySelector('canvas, svg')) return false; }
  return true;
}"""


def load_page(page, url: str, timeout_ms: int = 30_000) -> float:
    """Open ``url`` and wait until the script run is over and charts are drawn; seconds taken."""
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(_READY, timeout=timeout_ms, polling=50)
    return time.perf_counter() - started


def _content_height(page) -> int:
    return int(page.evaluate(
        """() => { const main = document.querySelector('[data-testid="stMain"]');
                   const block = main && main.querySelector('[data-testid="stMainBlockContainer"]');
                   const h = block ? block.getBoundingClientRect().height + 200 : 0;
                   return Math.max(h, main ? main.scrollHeight : 0, document.body.scrollHeight); }"""
    ))


def full_screenshot(page, path: Path, width: int = 1440) -> None:
    """The whole page: Streamlit scrolls inside its main container, so the viewport is made
    as tall as the content (until the height settles: charts re-layout), then restored."""
    original = page.viewport_size
    height = 0
    for _ in range(5):
        wanted = min(_content_height(page) + 40, 15_000)
        if abs(wanted - height) < 5:
            break
        height = wanted
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(_READY, timeout=10_000, polling=50)
        page.wait_for_timeout(250)
    page.screenshot(path=str(path))
    page.set_viewport_size(original)


def page_texts(page) -> str:
    return page.inner_text('[data-testid="stApp"]')


def screenshot_all(
    base_url: str,
    folder: Path,
    langs=("ko", "en"),
    check=None,
    browser=None,
    fit: bool = True,
    height: int = 900,
) -> dict[tuple[str, str], float]:
    """Every page in every language: a screenshot each (``check(page, stem, lang)`` first, if
    given); returns the seconds each page took to load and draw. ``fit``: grow the viewport to
    the whole page for each shot (slower); otherwise the viewport is ``height`` pixels tall."""
    folder.mkdir(parents=True, exist_ok=True)
    times: dict[tuple[str, str], float] = {}
    with contextlib.ExitStack() as stack:
        browser = browser or stack.enter_context(chromium())
        context = browser.new_context(viewport={"width": 1440, "height": height}, locale="ko-KR")
        stack.callback(context.close)
        page = context.new_page()
        load_page(page, f"{base_url}/")  # warm the server (first script run, caches)
        for lang in langs:
            for url_path, stem in PAGES:
                seconds = load_page(page, f"{base_url}/{url_path}?lang={lang}")
                times[(stem, lang)] = seconds
                if check:
                    check(page, stem, lang)
                if fit:
                    full_screenshot(page, folder / f"{stem}_{lang}.png")
                else:
                    page.screenshot(path=str(folder / f"{stem}_{lang}.png"))
    return times


# ---------------------------------------------------------------- the test


def _screenshot_dir() -> Path:
    return Path(os.environ.get("AXMETER_SCREENSHOTS") or ROOT / "screenshots")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no browser test: {reason}")
    from tests.test_dashboard_pages import write_release

    home = write_release(tmp_path_factory.mktemp("browser") / "home")
    with dashboard_server(home) as base, chromium() as browser:
        yield base, browser


def test_every_page_renders_in_chromium(served):
    base, browser = served
    folder = _screenshot_dir()
    titles = {
        "overview": ("AI 활용 개요", "AI adoption overview"),
        "units": ("조직별 현황", "Units"),
        "features": ("기능·모델", "Features and models"),
        "productivity": ("생산성", "Productivity"),
        "training": ("교육·AI 선도그룹", "Training and Pioneers"),
        "governance": ("거버넌스", "Governance"),
        "quality": ("데이터 품질", "Data quality"),
        "definitions": ("지표 정의", "Definitions"),
    }
    # The hand-made pages fit in 2,600 pixels: one tall viewport instead of resizing per shot.
    # Korean here (English is checked below and, for every page, by the AppTest tests).
    times = screenshot_all(base, folder, langs=("ko",), browser=browser, fit=False, height=2600,
                           check=lambda page, stem, lang: _check_page(page, titles[stem], lang))
    for (stem, lang), seconds in times.items():
        assert (folder / f"{stem}_{lang}.png").stat().st_size > 10_000, (stem, lang)
        assert seconds < 15, (stem, lang, seconds)  # generous for CI; measured times are in the report
    (folder / "timings.json").write_text(
        json.dumps({f"{stem}_{lang}": round(seconds * 1000) for (stem, lang), seconds in times.items()}, indent=2),
        encoding="utf-8",
    )


def test_sidebar_navigation_keeps_filters_in_the_url(served):
    base, browser = served
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        load_page(page, f"{base}/units?lang=en&fn=trade")
        # A click within milliseconds of the first render can switch pages before the browser
        # has registered the sidebar's widget values (Streamlit then sends their defaults); a
        # reader is never that fast. 1 s was not always enough on a loaded machine (the suite's
        # other worker and other tenants: one timeout in a full run, none when run alone).
        page.wait_for_timeout(2500)
        page.locator('[data-testid="stSidebarNav"] a', has_text="Governance").click()
        # the new page's run writes the filters back into the URL (history.replaceState, no load event)
        page.wait_for_function(
            "() => location.pathname.endsWith('/governance') && location.search.includes('fn=trade')"
            " && location.search.includes('lang=en')",
            timeout=30_000,
            polling=50,
        )
        page.wait_for_function(_READY, timeout=30_000, polling=50)
        page.locator("h1", has_text="Governance").wait_for(timeout=30_000)
        full_screenshot(page, _screenshot_dir() / "governance_en.png")
    finally:
        page.close()


def _check_page(page, titles: tuple[str, str], lang: str) -> None:
    title = titles[0 if lang == "ko" else 1]
    assert page.locator("h1", has_text=title).count() >= 1, title
    assert page.locator('[data-testid="stException"]').count() == 0, title
    text = page_texts(page)
    assert "Traceback" not in text, title
    if lang == "ko":
        assert "조회 조건" in text  # Hangul in the sidebar


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "screenshots")
    home = Path(os.environ.get("AXMETER_HOME") or ROOT / "data")
    reason = unavailable_reason()
    if reason:
        sys.exit(reason)
    with dashboard_server(home) as base:
        for (stem, lang), seconds in screenshot_all(base, target).items():
            print(f"{stem:14s} {lang}  {seconds * 1000:6.0f} ms")
