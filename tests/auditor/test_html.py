"""The HTML report: golden output, escaping of hostile inventory strings, a browser rendering."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from govcheck.formatters.html import format_report

from .conftest import HOSTILE, sample_report

GOLDEN = Path(__file__).parent / "golden" / "report.html"
ROOT = Path(__file__).resolve().parents[2]
# Set GOVCHECK_UPDATE_GOLDEN=1 to rewrite the golden file, then review it in the diff.
UPDATE = os.environ.get("GOVCHECK_UPDATE_GOLDEN") == "1"


class _Collector(HTMLParser):
    """Collects tags, attributes and text, and notices anything a browser would fetch or run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.cells: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in ("br", "meta"):
            self.stack.append(tag)
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler attribute {name}"
            if name in ("src", "href"):
                raise AssertionError(f"external reference {name}={value}")
            if name == "class" and tag == "td" and value and value.startswith("cell-"):
                self.cells.setdefault(value, []).append("")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack[-3:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    assert collector.stack == [], "unclosed tags"
    return collector


def test_golden() -> None:
    html = format_report(sample_report())
    if UPDATE:
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8")


def test_deterministic() -> None:
    assert format_report(sample_report()) == format_report(sample_report())


def test_hostile_strings_are_escaped() -> None:
    html = format_report(sample_report(HOSTILE))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in html
    parsed = parse(html)
    assert "script" not in parsed.tags
    # The text a reader sees is the name exactly as the inventory had it.
    assert any(HOSTILE in t for t in parsed.text)


def test_self_contained_and_shows_the_ownership_map() -> None:
    html = format_report(sample_report())
    parsed = parse(html)
    assert "style" in parsed.tags and "link" not in parsed.tags
    assert not re.search(r"url\(|@import|https?://", html)
    assert "@media print" in html
    text = "".join(parsed.text)
    for expected in ("2026-06-30T00:00:00Z", "govcheck 0.1.0", "c" * 64, "d" * 64, "a" * 64,
                     "assignments.yaml:4", "Signed role descriptions", "Name a backup.",
                     "held by vendor:v-1", "no person owner"):
        assert expected in text, expected
    # One cell per registry entry, coloured by state; s-1 retirement and s-2's
    # missing phases stay blank.
    assert len(parsed.cells["cell-ok"]) == 2
    assert len(parsed.cells["cell-gap"]) == 2
    assert len(parsed.cells["cell-not-required"]) == 1
    assert len(parsed.cells["cell-none"]) == 3


def test_waived_findings_listed_apart() -> None:
    html = format_report(sample_report())
    open_part, accepted_part = html.split('id="accepted"')
    assert "assignment:a-1" in open_part and "assignment:a-2" not in open_part.split(
        'id="findings"')[1]
    assert "assignment:a-2" in accepted_part and "waived" in accepted_part
    assert "GRC-1234, approved by p-2" in accepted_part


@pytest.mark.slow
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    if not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")):
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    page = tmp_path / "report.html"
    page.write_text(format_report(sample_report(HOSTILE)), encoding="utf-8")
    png = tmp_path / "report.png"
    subprocess.run([str(ROOT / "scripts" / "render_html.sh"), str(page), str(png), "1400",
                    "1400"], check=True, timeout=120, capture_output=True)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank page compresses to a few kB


def test_bidi_and_control_characters_are_shown_as_escapes() -> None:
    name = "Credit \u202escoring\u2066 \u200e\x1b[2J"
    html = format_report(sample_report(name))
    assert not any(ch in html for ch in "\u202e\u2066\u200e\x1b")
    text = "".join(parse(html).text)
    assert "The owner of Credit \\u202escoring\\u2066 \\u200e\\u001b[2J has no backup." in text
    assert format_report(sample_report(name)) == html


def test_baselined_entities_are_listed_with_their_control() -> None:
    report = sample_report()
    a92 = replace(report.controls[2], baselined=2,
                  baselined_entities=("person:p-7", "person:p-8"))
    html = format_report(replace(report, controls=(*report.controls[:2], a92,
                                                   *report.controls[3:])))
    row = next(r for r in html.split("<tr>") if "<code>ISO42001:A.9.2</code>" in r)
    assert ('<td class="num">0</td><td class="num">2</td><td class="codes"><code>event:3</code>'
            '<br><span class="sub">baselined:</span> <code>person:p-7</code> <code>person:p-8'
            "</code></td>") in row
