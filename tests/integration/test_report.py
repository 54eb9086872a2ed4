"""`etl report`: a self-contained HTML dashboard that draws in a real browser.

The content tests read the HTML; the browser test renders it in headless Chromium (Debian
package ``chromium``), checks that every chart drew (a marker the page's own script sets), that
no script error was logged, and that the screenshot is a real page, not a blank one.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from etl.cli import EXIT_OK, main
from etl.publish import Warehouse
from etl.report import write_report
from tests.integration.bi_support import DemoPage, build_demo_warehouse, publish_generation

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report") / "warehouse"
    build_demo_warehouse(str(root))
    docs = root / "quality" / "data_docs" / "2024-05-01"  # as the validation writes them
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("<html>data docs</html>")
    return Path(write_report(str(root), now=datetime(2024, 5, 2, 7)))


def bars(svg: str) -> int:
    return len(re.findall(r'<rect class="bar"', svg))


def charts(html: str) -> dict[str, str]:
    """Each chart's SVG keyed by its title."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<svg class="chart" role="img" aria-label="([^"]+)".*?</svg>', html)
    }


def test_written_into_the_warehouse_and_self_contained(report: Path) -> None:
    assert report.name == "index.html" and report.parent.name == "report"
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # Nothing is fetched: no external scripts, stylesheets, images, fonts or imports.
    assert not re.search(r"<(script|img|link|iframe)[^>]*\b(src|href)=", html, flags=re.I)
    assert not re.search(r"@import|url\(", html)
    assert "http://" not in html and "https://" not in html


def test_headlines_and_charts_show_the_warehouse(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    cards = dict(
        (label, value)
        for value, label in re.findall(
            r'<div class="num">(.*?)</div><div class="cap">(.*?)</div>', html
        )
    )
    # bi_support: 4 videos, 7 comments, 7 links, 10 mentions, 2 named channels, 2 quarantined
    # pages (one per run), 2 runs; the latest run (2024-05-02) failed a warning expectation.
    assert {k: cards[k] for k in ("videos", "comments", "links", "entity mentions")} == {
        "videos": "4", "comments": "7", "links": "7", "entity mentions": "10",
    }  # fmt: skip
    assert (cards["channels"], cards["quarantined pages"], cards["runs"]) == ("2", "2", "2")
    assert "warnings" in cards["latest validation"]
    drawn = charts(html)
    assert bars(drawn["Comments per channel"]) == 3  # DW News, Al Jazeera English, (no channel)
    assert bars(drawn["Links per platform"]) == 5  # web, youtube, facebook, instagram, twitter
    assert bars(drawn["Top GPE entities"]) == 4  # Iran, Gaza, Qatar, Russia
    assert {"Top PERSON entities", "Top LOC entities", "Top ORG entities"} <= set(drawn)
    assert bars(drawn["Quarantined pages per reason"]) == 1
    assert bars(drawn["Pages per run"]) == 4  # 2 runs x (published, quarantined)
    assert "DW News: 5" in drawn["Comments per channel"]  # tooltip with the exact number
    videos = html.split("<h2>Most discussed videos</h2>", 1)[1].split("</table>", 1)[0]
    titles = re.findall(r"<tr><td>(.*?)</td>", videos)
    assert titles == [
        "Russia and Iran",  # 3 comments
        "Drought in the Sahel",  # 2 comments, ties by title
        "Gaza ceasefire talks",
        "A blog post with no channel",
    ]


def test_runs_link_to_their_data_docs_where_they_exist(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">data docs</a>', html)
    assert links == ["../quality/data_docs/2024-05-01/index.html"]  # none written for 05-02
    assert (report.parent / links[0]).resolve().exists()


def test_text_from_pages_is_escaped(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "warehouse"))
    hostile = '<script>alert("x")</script> & Co'
    page = DemoPage("p_hostile", "A title", hostile, ("a comment",), (), ())
    publish_generation(wh, "2024-05-01", datetime(2024, 5, 1, 6), [page])
    html = Path(write_report(wh.layout.root)).read_text(encoding="utf-8")
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html


def test_an_empty_warehouse_renders_without_charts(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "warehouse"))
    publish_generation(wh, "2024-05-01", datetime(2024, 5, 1, 6), [])
    html = Path(write_report(wh.layout.root)).read_text(encoding="utf-8")
    assert "No comments per channel yet." in html and "No entities yet." in html
    # Only the quarantine reason (the run quarantined one empty page) and the run column
    # (published 0, quarantined 1) are drawn.
    assert bars(html) == 3


def test_etl_report_prints_the_path_and_summary_links_it(
    report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = report.parent.parent
    assert main(["report", "--warehouse", str(warehouse)]) == EXIT_OK
    assert str(report) in capsys.readouterr().out
    assert main(["summary", "--warehouse", str(warehouse)]) == EXIT_OK
    assert f"file://{report}" in capsys.readouterr().out


# --- in a real browser -------------------------------------------------------------------------


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-quic", "--no-first-run",
            "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", "--window-size=1280,1600", *args,
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGB(A) rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return (
        width,
        height,
        [r if bpp == 3 else bytes(v for j, v in enumerate(r) if j % 4 != 3) for r in rows],
    )


@pytest.mark.slow
@pytest.mark.chromium
def test_the_dashboard_draws_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed: apt-get install chromium")
    url = report.as_uri()
    dom = _chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    total = re.search(r'data-charts-total="(\d+)"', dom.stdout)
    drawn = re.search(r'data-charts-drawn="(\d+)"', dom.stdout)
    assert total and drawn, "the page script did not run"
    assert int(total.group(1)) >= 6 and drawn.group(1) == total.group(1)
    console_errors = [
        line for line in dom.stderr.splitlines()
        if "CONSOLE" in line or "Uncaught" in line or "SyntaxError" in line
    ]  # fmt: skip
    assert console_errors == []

    shot = tmp_path / "dashboard.png"
    taken = _chromium(f"--screenshot={shot}", url, profile=tmp_path / "profile-shot")
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    shutil.copy(shot, report.parent / "screenshot.png")  # kept beside the report for a look
    width, height, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 1600)
    pixels = [row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 12)]
    colours = set(pixels)
    # A blank page has one colour; the dashboard has a dark header, white panels, bar colours.
    assert len(colours) > 50
    header = sum(1 for p in pixels[: len(pixels) // 20] if max(p) < 90)  # the dark top band
    assert header > len(pixels) // 20 // 4
    bar_blue = sum(1 for p in pixels if p[2] > 150 and p[0] < 60)  # PALETTE[0] #0072B2
    assert bar_blue > 20
