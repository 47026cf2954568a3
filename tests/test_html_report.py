"""The HTML report of the retail example: self-contained, free of personal data, and
rendered by a real browser (headless Chromium) without console errors or requests.

The browser tests need /usr/bin/chromium (Debian's `chromium` package; .ci/run installs
it) and the `playwright` package of the test extra. Outside CI they are skipped when
either is missing; in CI (CI=true) they fail instead.

Set OMNICONTRACT_UPDATE_SCREENSHOT=1 to rewrite docs/img/html-report.png from the
second of two runs (test_since_the_previous_run_in_chromium).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

import omnicontract
from omnicontract.contracts.model import Severity
from omnicontract.reports import parse_report_spec, render
from omnicontract.validators.result import Finding, Sample
from tests.test_example_retail import EXAMPLE, EXPORTS, NOW, _raw_personal_values

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "img" / "html-report.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Attributes and CSS constructs that make a browser fetch something.
FETCHING = [
    re.compile(
        r"""\b(?:src|href|srcset|poster|action|data|background|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""",
        re.I,
    ),
    re.compile(r"url\(\s*['\"]?\s*(?!data:|#)", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"<(?:script|link|iframe|object|embed|img)\b", re.I),
]


def _trend() -> list[dict[str, Any]]:
    channels = ["app", "call_center", "crm", "email", "instagram", "store", "web", "whatsapp"]
    return [
        {
            "run_id": f"run-{month}",
            "started_at": f"2026-{month:02d}-01T06:00:00+00:00",
            "readiness": 90.0 + month / 2,
            "channels": {c: 88.0 + month + i / 4 for i, c in enumerate(channels)},
            "findings": {"error": 40 - month, "warning": 18, "info": 1},
        }
        for month in (8, 9, 10)
    ]


@pytest.fixture(scope="module")
def result():
    return omnicontract.validate(EXAMPLE, now=NOW)


@pytest.fixture(scope="module")
def html(result) -> str:
    return render("html", result)


@pytest.fixture(scope="module")
def html_with_trend(result) -> str:
    original = result.trend
    result.trend = _trend()
    try:
        return render("html", result)
    finally:
        result.trend = original


def test_registered_as_a_report_format() -> None:
    assert parse_report_spec("out/review.html") == ("html", Path("out/review.html"))
    assert parse_report_spec("out/review.htm") == ("html", Path("out/review.htm"))
    assert parse_report_spec("html:out/review") == ("html", Path("out/review"))


def test_nothing_a_browser_would_fetch(html: str, html_with_trend: str) -> None:
    for page in (html, html_with_trend):
        for pattern in FETCHING:
            assert not pattern.search(page), pattern.search(page)
        assert "default-src 'none'" in page  # and the browser is told so


def _crm_personal_values() -> set[str]:
    """Names, documents and handles of the customer master, as written in its export."""
    crm = (EXPORTS / "crm" / "clientes.csv").read_text(encoding="utf-8-sig")
    values = set()
    for row in csv.DictReader(io.StringIO(crm), delimiter=";"):
        values.update([row["nome_completo"], row["cpf_cnpj"], row["instagram"]])
    return {v.strip() for v in values if v and len(v.strip()) >= 6}


def test_no_personal_data(html: str) -> None:
    personal = _raw_personal_values() | _crm_personal_values()
    assert len(personal) > 800
    leaked = sorted(v for v in personal if len(v) >= 6 and v in html)
    assert not leaked
    assert "Examples (masked)" in html


def test_sections_and_codes(html: str, result) -> None:
    for anchor in ("readiness", "trend", "heatmap", "owners", "findings", "coverage"):
        assert f'<section class="first" id="{anchor}"' in html or f'<section id="{anchor}"' in html
    for family in ("OC-SRC", "OC-MAP", "OC-FLD", "OC-REF", "OC-IDN", "OC-CNS", "OC-JRN", "OC-TIM"):
        assert family in html
    for f in result.findings:
        assert f.code in html
    assert "customer 2.0.0" in html and "interaction 1.2.0" in html
    assert "No earlier runs recorded." in html
    assert html.count('<article class="finding"') == len(result.findings)


def test_consent_blockers_lead_each_owner(html: str) -> None:
    owners = html.split('<section id="owners"', 1)[1].split("</section>", 1)[0]
    for block in owners.split('<div class="owner">')[1:]:
        codes = re.findall(r'class="code">(OC-[A-Z]+-\d+)<', block)
        consent = [c.startswith("OC-CNS") for c in codes]
        assert consent == sorted(consent, reverse=True), codes
    first = owners.split('<div class="owner">')[1]
    assert "OC-CNS-001" in first


def test_trend_charts(html_with_trend: str, result) -> None:
    assert "No earlier runs recorded." not in html_with_trend
    assert html_with_trend.count('<svg class="line"') == len(result.channels) + 1
    assert "run-10" in html_with_trend


def test_text_is_escaped(result) -> None:
    hostile = Finding(
        code="OC-FLD-005",
        check="enum",
        severity=Severity.error,
        message="<script>alert(1)</script>",
        channel="web",
        samples=[Sample('"><img src=x onerror=alert(1)>')],
        hint="<b>bold</b>",
    )
    result.findings.append(hostile)
    try:
        page = render("html", result)
    finally:
        result.findings.remove(hostile)
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ------------------------------------------------------------------ in a real browser
def _browser_or_skip():
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not installed (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright not installed (pip install -e '.[test]')"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_playwright


def _png_is_not_blank(data: bytes) -> bool:
    """Decode the PNG's pixel bytes (no imaging library needed) and look for variety."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    return len(set(raw[::7])) > 32


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, tmp_path: Path, text: str, width: int = 1200):
    path = tmp_path / "report.html"
    path.write_text(text, encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, requests, path.as_uri()


def test_renders_in_chromium(browser, html: str, tmp_path: Path) -> None:
    page, problems, requests, url = _open(browser, tmp_path, html)
    box = page.locator("#readiness").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 300
    assert page.locator("#readiness").is_visible()
    assert page.locator("svg.bar").count() == 9  # overall + 8 channels
    for i in range(9):
        bar = page.locator("svg.bar").nth(i).bounding_box()
        assert bar and bar["width"] > 50 and bar["height"] > 5
    assert page.get_by_text("No earlier runs recorded.").is_visible()
    assert page.locator("table.heat tbody tr").count() == 8
    shot = page.screenshot(full_page=True)
    assert len(shot) > 50_000 and _png_is_not_blank(shot)
    pdf_page = browser.new_page()
    pdf_page.goto(url)
    pdf_page.emulate_media(media="print")
    assert pdf_page.pdf(format="A4")[:4] == b"%PDF"
    pdf_page.close()
    page.close()
    assert not problems
    assert requests == [url]


def test_trend_charts_in_chromium(browser, html_with_trend: str, tmp_path: Path) -> None:
    page, problems, requests, url = _open(browser, tmp_path, html_with_trend)
    charts = page.locator("svg.line")
    assert charts.count() == 9
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 80
        assert charts.nth(i).locator("polyline").count() >= 1
    page.close()
    assert not problems
    assert requests == [url]


def test_narrow_screen_has_no_page_wide_overflow(browser, html: str, tmp_path: Path) -> None:
    page, problems, _requests, _url = _open(browser, tmp_path, html, width=390)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # wide tables scroll inside their own box
    page.close()
    assert not problems


def _second_run_data(project: Path) -> None:
    """Different data for a second run: one defect fixed, one worse, one new."""
    messages = project / "exports" / "whatsapp" / "messages.jsonl"
    kept = [
        line
        for line in messages.read_text(encoding="utf-8").splitlines()
        if "Transferido" not in line
    ]
    messages.write_text("\n".join(kept) + "\n", encoding="utf-8")  # OC-MAP-002 resolved
    crm = project / "exports" / "crm" / "clientes.csv"
    lines = crm.read_text(encoding="utf-8-sig").splitlines()
    first = lines[1].split(";")
    first[6] = "99/99/1990"  # a birth date no format reads: a new finding
    lines[1] = ";".join(first)
    lines += lines[2:5]  # three customers exported twice: the duplicate keys get worse
    crm.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


def test_since_the_previous_run_in_chromium(browser, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from omnicontract.cli.main import cli
    from tests.conftest import copy_example

    project = copy_example("retail", tmp_path / "retail")
    first = CliRunner().invoke(cli, ["validate", str(project), "-q"])
    assert first.exit_code == 1, first.output
    _second_run_data(project)
    html_path, md_path, json_path = (tmp_path / "out" / n for n in ("r.html", "s.md", "r.json"))
    second = CliRunner().invoke(
        cli,
        [
            *("validate", str(project), "-q", "--report", f"html:{html_path}"),
            *("--report", f"markdown:{md_path}", "--report", f"json:{json_path}"),
        ],
    )
    assert second.exit_code == 1, second.output
    changes = json.loads(json_path.read_text())["changes"]
    assert changes["previous_run"]["run_id"] == "1"
    keys = {
        k: {(i["code"], i["channel"], i["field"]) for i in changes[k]}
        for k in changes
        if k != "previous_run"
    }
    assert ("OC-MAP-002", "whatsapp", "status") in keys["resolved"]
    assert ("OC-FLD-004", "crm", "customer_id") in keys["worsened"]
    assert any(c == "OC-MAP-001" and f == "birth_date" for c, _ch, f in keys["new"])

    summary = md_path.read_text()
    assert "### Since the previous run" in summary
    assert f"{len(changes['new'])} new finding" in summary and "resolved" in summary

    page, problems, requests, url = _open(browser, tmp_path, html_path.read_text())
    section = page.locator("#changes")
    assert section.is_visible()
    assert section.locator("h2").inner_text() == "Since the previous run"
    for kind, title in (("new", "New findings"), ("resolved", "Resolved"), ("worsened", "Worse")):
        table = section.locator(f"table.change-{kind}")
        assert table.locator("tbody tr").count() == len(changes[kind]), kind
        assert section.get_by_role("heading", name=f"{title} ({len(changes[kind])})").is_visible()
    resolved = section.locator("table.change-resolved").inner_text()
    assert "OC-MAP-002" in resolved and "whatsapp/messages.status" in resolved
    worse = section.locator("table.change-worsened").inner_text()
    assert re.search(r"OC-FLD-004\s+crm/customers\.customer_id.*4 -> \d+ \(\+\d+\)", worse, re.S)

    # readiness labels agree with the status; each channel shows the period its data covers
    for row in page.locator("table.ready tbody tr").all():
        cells = row.inner_text()
        if "FAIL" in cells.upper().split():
            assert "good" not in row.locator(".band").inner_text()
    whatsapp = page.locator("table.ready tbody tr", has_text="whatsapp").inner_text()
    assert re.search(r"2024-07-\d\d to\s2025-01-\d\d", whatsapp)
    # every run is labelled under the trend charts, each on its own scale
    overall = page.locator("svg.line").first
    assert overall.locator("text.run").all_text_contents() == ["#1", "#2"]
    # a heat-map cell says what it counts: findings of each severity
    crm_row = page.locator("table.heat tbody tr", has_text="crm").inner_text()
    assert "failing" in crm_row and "error" in crm_row and "warning" in crm_row

    if os.environ.get("OMNICONTRACT_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        height = page.locator("#trend").bounding_box()["y"]  # header to the changes
        page.screenshot(
            path=str(SCREENSHOT),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1200, "height": height},
        )
    page.close()
    assert not problems
    assert requests == [url]
