"""The built documentation site in a real headless browser (Debian's ``chromium``), at 1280 px.

``mkdocs build --strict`` proves links and anchors; this proves what a reader sees. The
site is built once into a temporary folder and served from 127.0.0.1; then:

- every page is opened in a 1280 px wide frame by ``docs_browser/measure.js`` (one
  chromium run, ``--dump-dom``): no page scrolls sideways, no code block or table is wider
  than its box, and no inline code (a method name, an option, a model id) wraps inside a
  word. A control page with a too-wide block, a too-wide table and a name squeezed into a
  narrow box proves the measurements find what they look for;
- one screenshot per kind of page (home, guide, command line, providers list, provider
  page, plugin guide, API reference), checked to be a 1280 x 900 PNG. Set
  ``INFERMUX_DOCS_SCREENSHOTS=DIR`` to keep them.

chromium runs headless with no sandbox, GPU, background networking, component updates,
sync or first-run work, each time with a fresh profile. The site uses system fonts
(``font: false`` in mkdocs.yml), so nothing is fetched from outside.
"""

from __future__ import annotations

import functools
import html
import json
import os
import shutil
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.docs

WIDTH, HEIGHT = 1280, 900
MEASURE_JS = Path(__file__).parent / "docs_browser" / "measure.js"

#: One page of each kind, for the screenshots.
PAGE_KINDS = {
    "home": "",
    "guide": "guide/tasks/",
    "command-line": "cli/",
    "providers-list": "providers/",
    "provider": "providers/together/",
    "plugin-guide": "plugin-authors/",
    "api-reference": "reference/clients/",
}

CONTROL_PAGE = """<!doctype html><html><head><link rel="stylesheet" href="../assets/stylesheets/{css}">
<link rel="stylesheet" href="../stylesheets/extra.css"></head><body>
<div class="md-content"><article class="md-typeset">
<pre><span></span><code>{long_line}</code></pre>
<div class="md-typeset__scrollwrap" style="width: 200px"><div class="md-typeset__table">
<table><tr><th>{wide}</th></tr></table></div></div>
<p style="width: 60px">see <code style="word-break: break-all">automatic_speech_recognition</code></p>
</article></div></body></html>
"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "the docs browser test needs chromium on PATH "
            "(Debian: apt-get update && apt-get install -y chromium)"
        )
    return found


def _browse(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless chromium once, with a fresh profile and nothing in the background."""
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
        *args,
    ]
    return subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=True, timeout=600
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _pages(site: Path) -> list[str]:
    return sorted(
        "" if page.parent == site else f"{page.parent.relative_to(site).as_posix()}/"
        for page in site.rglob("index.html")
        if not {"assets", "__control__"} & set(page.relative_to(site).parts)
    )


def _write_control_page(site: Path) -> None:
    (css,) = [p.name for p in (site / "assets" / "stylesheets").glob("main.*.min.css")]
    control = site / "__control__"
    control.mkdir(exist_ok=True)
    (control / "index.html").write_text(
        CONTROL_PAGE.format(css=css, long_line="x" * 400, wide="y" * 300), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def measured(site: Path, served: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    _write_control_page(site)
    pages = [*_pages(site), "__control__/"]
    driver = site / "__measure__.html"
    driver.write_text(
        '<!doctype html><html><body><pre id="out">pending</pre><script>'
        f"const PAGES = {json.dumps(pages)};\n{MEASURE_JS.read_text(encoding='utf-8')}"
        "</script></body></html>",
        encoding="utf-8",
    )
    profile = tmp_path_factory.mktemp("chromium-profile")
    result = _browse(
        profile, "--virtual-time-budget=120000", "--dump-dom", f"{served}__measure__.html"
    )
    dumped = result.stdout.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]
    text = html.unescape(dumped)
    assert text != "pending", "the measuring script did not finish"
    report: dict[str, Any] = json.loads(text)
    assert sorted(report) == sorted(pages)
    return report


def test_the_checks_find_overflow_and_broken_names(measured):
    control = measured["__control__/"]
    assert control["code"], control
    assert control["tables"], control
    assert control["broken"] == ["automatic_speech_recognition"], control


def test_no_page_overflows_at_1280px(measured):
    pages = {page: result for page, result in measured.items() if page != "__control__/"}
    assert len(pages) > 40  # every page of the site was measured
    problems = {
        page or "(home)": {
            kind: result[kind] for kind in ("page", "code", "tables") if result[kind]
        }
        for page, result in pages.items()
        if result["page"] or result["code"] or result["tables"]
    }
    assert problems == {}


def test_inline_code_never_breaks_inside_a_word(measured):
    broken = {
        page or "(home)": result["broken"]
        for page, result in measured.items()
        if page != "__control__/" and result["broken"]
    }
    assert broken == {}


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_one_screenshot_per_page_kind(kind, served, tmp_path):
    keep = os.environ.get("INFERMUX_DOCS_SCREENSHOTS")
    folder = Path(keep) if keep else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{kind}.png"
    _browse(tmp_path / "profile", f"--screenshot={shot}", f"{served}{PAGE_KINDS[kind]}")
    assert _png_size(shot) == (WIDTH, HEIGHT)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
