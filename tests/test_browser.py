"""The HTML report in a real browser (Debian's headless Chromium, driven by Playwright):
loads clean with no network request, filters and click-to-clause work, the review
export is what `scan --review` accepts, and axe-core finds no serious or critical
accessibility problem. Screenshots go to test-output/ for a person to look at.

Only the system browser is used (`.ci/run` installs Debian's `chromium`); Playwright
never downloads one here. The tests skip, saying why, when it is not installed.
"""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS, REPO
from policycheck.cli import main

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OUTPUT = REPO / "test-output"
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".pdf", ".docx"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does this)"
)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "rapporten"
    result = run("scan", str(CORPUS), "--format", "html", "-o", str(out))
    assert result.exit_code == 1, result.output
    return out


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install .[test])")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A page opened from a file, recording console messages, errors, dialogs and
    every request; any request other than the file itself is aborted and recorded."""

    def __init__(self, browser, path: Path, width=1400, height=900):
        self.url = path.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.page = self.context.new_page()
        self.console, self.errors, self.dialogs, self.requests = [], [], [], []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.context.route("**/*", self._route)
        self.page.goto(self.url)

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def outside_requests(self, allow_blob=False):
        return [u for u in self.requests if u != self.url and not (allow_blob and u.startswith("blob:"))]

    def problems(self):
        return [m for m in self.console if m[0] in ("error", "warning")] + self.errors + self.dialogs

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    opened = []

    def _open(path, **size):
        opened.append(Visit(browser, path, **size))
        return opened[-1]

    yield _open
    for item in opened:
        item.close()


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", [p.stem + ".html" for p in CORPUS_FILES] + ["index.html"])
def test_browser_report_loads_without_errors_or_network_and_passes_axe(reports, visit, name):
    v = visit(reports / name)
    assert v.page.title().startswith("Beleidscheck")
    assert v.problems() == []  # a CSP violation would show up here as a console error
    assert v.outside_requests() == []
    if name != "index.html":
        # The script ran (under the hash-only CSP): the filters and review tools are shown.
        assert v.page.locator("#filters").is_visible()
        assert "bevindingen zichtbaar" in v.page.locator("#filter-status").inner_text()
    assert axe_violations(v.page) == []
    # Narrow screen too (one column).
    v.page.set_viewport_size({"width": 420, "height": 800})
    assert axe_violations(v.page) == []


def visible_cards(page):
    return page.locator("article.finding:visible")


def findings_of(name):
    """The findings the report shows, from the JSON report of the same scan."""
    result = run("scan", str(CORPUS / name), "--format", "json")
    return json.loads(result.stdout)["documents"][0]["findings"]


def test_browser_filters_search_and_keyboard(reports, visit):
    findings = findings_of("inkoopbeleid-velderhoven-2025.pdf")
    total = len(findings)
    count = {p: sum(1 for f in findings if f["polarity"] == p) for p in ("belemmerend", "ontbrekend", "bevorderend")}
    assert count["ontbrekend"] and count["belemmerend"]
    v = visit(reports / "inkoopbeleid-velderhoven-2025.html")
    page = v.page
    assert visible_cards(page).count() == total
    # Polarity, operated with the keyboard.
    page.focus("#filter-polarity-ontbrekend")
    page.keyboard.press("Space")
    assert visible_cards(page).count() == total - count["ontbrekend"]
    assert page.locator("#filter-status").inner_text() == f"{total - count['ontbrekend']} van {total} bevindingen zichtbaar."
    assert page.locator("mark.clause:not(.is-filtered)").count() >= 1
    page.uncheck("#filter-polarity-belemmerend")
    assert visible_cards(page).count() == count["bevorderend"]
    if not count["bevorderend"]:
        assert page.locator("mark.clause:not(.is-filtered)").count() == 0  # highlight follows the filter
        assert page.locator("a.tag:visible").count() == 0
        assert page.locator(".empty-note:visible").count() == 2
    page.click("#filter-reset")
    assert visible_cards(page).count() == total
    # Severity.
    page.uncheck("#filter-severity-middel")
    shown = [c.get_attribute("data-severity") for c in visible_cards(page).all()]
    assert "middel" not in shown and len(shown) == sum(1 for f in findings if f["severity"] != "middel")
    page.click("#filter-reset")
    # Search matches words anywhere in title, clause, message or recommendation.
    for query, expected_rule in (("social return", "AB-ONTBREEKT-SOCIAL-RETURN"), ("laagste PRIJS", "AB-LAAGSTE-PRIJS")):
        page.fill("#filter-search", query)
        cards = visible_cards(page).all()
        assert 0 < len(cards) < total
        assert expected_rule in [c.get_attribute("data-rule") for c in cards]
        assert all(query.lower() in " ".join(c.inner_text().lower().split()) for c in cards)
    page.fill("#filter-search", "")

    other = findings_of("aanbestedingsbeleid-lindenmaar-2026.docx")
    w = visit(reports / "aanbestedingsbeleid-lindenmaar-2026.html")
    topics = [c.get_attribute("data-topic") for c in visible_cards(w.page).all()]
    assert sorted(topics) == sorted(f["topic"] for f in other)
    w.page.select_option("#filter-topic", "reserved-contracts")
    shown = [c.get_attribute("data-topic") for c in visible_cards(w.page).all()]
    assert shown == ["reserved-contracts"] * sum(1 for f in other if f["topic"] == "reserved-contracts") and shown
    w.page.select_option("#filter-topic", "")
    w.page.select_option("#filter-step", "5")
    assert visible_cards(w.page).count() == sum(1 for f in other if f["step"] == 5)
    assert v.problems() == [] and w.problems() == []


def in_viewport(page, selector):
    """The element's first line is on screen (in the page or in the findings panel)."""
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.top + 20 <= window.innerHeight; }""",
        selector,
    )


def test_browser_click_finding_goes_to_clause_and_back(reports, visit):
    v = visit(reports / "subsidieverordening-velderhoven-2025.html", width=1400, height=800)
    page = v.page
    card = page.locator("article.finding").nth(1)
    number = card.get_attribute("data-id")
    clause_text = card.locator("blockquote").inner_text()
    card.locator("a.goto").click()
    page.wait_for_function("(id) => document.activeElement && document.activeElement.id === 'c-' + id", arg=number)
    page.wait_for_timeout(700)  # smooth scrolling
    assert in_viewport(page, f"#c-{number}")
    marked = page.eval_on_selector_all(
        f"mark.clause", "(ms, id) => ms.filter(m => m.dataset.findings.split(' ').includes(id))"
        ".map(m => m.textContent).join('')", number)
    assert marked == clause_text
    # And back, with the keyboard, from the clause's label.
    page.keyboard.press("Enter")
    page.wait_for_function("(id) => document.activeElement && document.activeElement.id === 'f-' + id", arg=number)
    page.wait_for_timeout(700)
    assert in_viewport(page, f"#f-{number}")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "report-click-to-clause.png"))
    assert v.problems() == [] and v.outside_requests() == []


def test_browser_review_export_is_accepted_by_scan_review(reports, visit, tmp_path):
    source = CORPUS / "inkoopbeleid-velderhoven-2025.pdf"
    v = visit(reports / "inkoopbeleid-velderhoven-2025.html")
    page = v.page
    total = len(findings_of("inkoopbeleid-velderhoven-2025.pdf"))
    first = page.locator("article.finding[data-rule=AB-LAAGSTE-PRIJS]")
    second = page.locator("article.finding[data-polarity=ontbrekend]").first
    reason = 'Alleen voor leveringen onder € 50.000 "><img src=x onerror=alert(1)>'
    first.get_by_label("Afwijzen", exact=True).check()
    assert "Geef een reden op" in first.locator("[data-role=review-message]").inner_text()
    first.get_by_label("Reden (nodig bij afwijzen)").fill(reason)
    assert first.locator("[data-role=review-message]").inner_text() == ""
    second.get_by_label("Accepteren", exact=True).check()
    page.fill("#reviewer-name", "Team inkoop")
    assert page.locator("#review-progress").inner_text().startswith(f"2 van {total} bevindingen beoordeeld")
    assert first.locator("[data-role=decision-text]").inner_text() == "Afgewezen: " + reason
    # The review filter.
    page.select_option("#filter-review", "open")
    assert visible_cards(page).count() == total - 2
    page.select_option("#filter-review", "")

    with page.expect_download() as download:
        page.click("#export-button")
    assert download.value.suggested_filename == "beoordeling-inkoopbeleid-velderhoven-2025.json"
    exported = tmp_path / "beoordeling.json"
    download.value.save_as(exported)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["format"] == "policycheck-review" and data["reviewer"] == "Team inkoop"
    assert sorted(d["decision"] for d in data["decisions"]) == ["accepted", "dismissed"]
    assert "opgeslagen als beoordeling-inkoopbeleid-velderhoven-2025.json" in page.locator("#export-status").inner_text()

    # The decisions stay in this browser after a reload.
    page.reload()
    assert page.locator("article.finding[data-rule=AB-LAAGSTE-PRIJS]").get_by_label("Afwijzen", exact=True).is_checked()
    assert page.input_value("#reviewer-name") == "Team inkoop"

    # The CLI accepts the export: the dismissed finding is marked and no longer fails the run.
    result = run("scan", str(source), "--review", str(exported), "--format", "json")
    findings = json.loads(result.stdout)["documents"][0]["findings"]
    still_failing = [f for f in findings if f["polarity"] == "belemmerend"
                     and f.get("review", {}).get("decision") != "dismissed"]
    assert result.exit_code == (1 if still_failing else 0), result.output
    by_rule = {f["rule_id"]: f for f in findings}
    assert by_rule["AB-LAAGSTE-PRIJS"]["review"]["decision"] == "dismissed"
    assert by_rule["AB-LAAGSTE-PRIJS"]["review"]["reason"] == reason
    assert by_rule["AB-LAAGSTE-PRIJS"]["review"]["reviewer"] == "Team inkoop"
    assert sum(1 for f in findings if f.get("review", {}).get("decision") == "accepted") == 1
    text = run("scan", str(source), "--review", str(exported), "--no-color").stdout
    assert "[afgewezen]" in text and reason in " ".join(text.split())  # wrapped to the terminal width

    # A report made with --review shows the decisions without any browser storage.
    again = tmp_path / "opnieuw.html"
    run("scan", str(source), "--review", str(exported), "--format", "html", "-o", str(again))
    w = visit(again)
    assert w.page.locator("article.finding.is-dismissed").count() == 1
    assert w.page.locator("article.finding[data-rule=AB-LAAGSTE-PRIJS]").get_by_label("Afwijzen", exact=True).is_checked()
    assert v.problems() == [] and w.problems() == []
    assert v.outside_requests(allow_blob=True) == [] and w.outside_requests() == []


def test_browser_hostile_document_renders_as_text(visit, tmp_path):
    source = tmp_path / "<script>alert(7)<.\"><img src=x onerror=alert(8)>.txt"
    source.write_text(
        "Inkoopbeleid <script>alert('kop')</script>\n\n"
        "Wij gunnen op de laagste prijs <script>alert(1)</script> en \"><img src=x onerror=alert(5)>.\n\n"
        "Een zin met </script><script>alert(6)</script> erin.\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    run("scan", str(source), "--format", "html", "-o", str(out))
    v = visit(out)
    assert v.dialogs == [] and v.problems() == [] and v.outside_requests() == []
    assert v.page.locator("img").count() == 0
    body = v.page.locator("#document").inner_text()
    assert "<script>alert(1)</script> en \"><img src=x onerror=alert(5)>." in body
    assert "</script><script>alert(6)</script>" in body


def test_browser_print_layout_and_screenshot(reports, visit):
    v = visit(reports / "inkoopbeleid-velderhoven-2025.html", width=1400, height=1000)
    page = v.page
    OUTPUT.mkdir(exist_ok=True)
    # The view a reviewer works in: a finding beside its marked clause.
    card = page.locator("article.finding[data-rule=AB-LAAGSTE-PRIJS]")
    card.evaluate("el => el.scrollIntoView({block: 'start'})")
    card.locator("a.goto").click()
    page.wait_for_timeout(800)
    page.screenshot(path=str(OUTPUT / "report.png"))
    # Print: the findings (all of them, also those filtered out), not the document text or controls.
    page.uncheck("#filter-polarity-ontbrekend")
    page.emulate_media(media="print")
    assert page.locator("article.finding:visible").count() == len(findings_of("inkoopbeleid-velderhoven-2025.pdf"))
    assert not page.locator("#document").is_visible()
    assert not page.locator("#filters").is_visible()
    assert not page.locator(".review-panel").is_visible()
    page.pdf(path=str(OUTPUT / "report.pdf"), format="A4", print_background=True)
    assert (OUTPUT / "report.pdf").stat().st_size > 10_000
    assert v.problems() == []
