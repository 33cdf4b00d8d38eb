"""Scanning many documents: the cache, --jobs, progress, closing tables, compare and Dask."""

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from policycheck.cli import main

PROCUREMENT = (
    "Inkoopbeleid Testdorp\n\nArtikel 1 Gunning\n\n"
    "Opdrachten worden gegund op basis van de laagste prijs.\n\n"
    "De gemeente past social return toe bij diensten boven € 200.000.\n"
)
IMPROVED = PROCUREMENT.replace(
    "Opdrachten worden gegund op basis van de laagste prijs.",
    "De gemeente gunt op basis van de beste prijs-kwaliteitverhouding.",
)


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("POLICYCHECK_CACHE_DIR", str(folder))
    return folder


def _findings(result_json):
    return [
        [(f["rule_id"], f["fingerprint"], f["location"]["start"]) for f in doc["findings"]]
        for doc in json.loads(result_json)["documents"]
    ]


# -- cache ------------------------------------------------------------------------


def test_cache_gives_the_same_report_and_is_used(cache_dir):
    pdf = str(CORPUS / "inkoopbeleid-velderhoven-2025.pdf")
    first = run("scan", pdf, "-f", "json", "-j", "1")
    files = sorted(p.relative_to(cache_dir).parts[0] for p in cache_dir.rglob("*.bin"))
    assert files == ["checked", "extract", "findings", "index", "nlp"]
    second = run("scan", pdf, "-f", "json", "-j", "1")
    assert json.loads(second.stdout)["documents"] == json.loads(first.stdout)["documents"]
    uncached = run("scan", pdf, "-f", "json", "--no-cache", "-j", "1")
    assert json.loads(uncached.stdout)["documents"] == json.loads(first.stdout)["documents"]


def test_no_cache_writes_nothing(cache_dir):
    run("scan", str(CORPUS / "inkoopbeleid-velderhoven-2025.pdf"), "--no-cache", "-q", "-j", "1")
    assert not list(cache_dir.rglob("*.bin"))


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_corrupt_cache_entries_are_discarded_and_rebuilt(cache_dir, damage):
    pdf = str(CORPUS / "subsidieverordening-velderhoven-2025.pdf")
    reference = run("scan", pdf, "-f", "json", "-j", "1").stdout
    entries = sorted(cache_dir.rglob("*.bin"))
    assert len(entries) == 5
    for entry in entries:
        data = bytearray(entry.read_bytes())
        if damage == "flip":
            data[-5] ^= 0xFF
        elif damage == "truncate":
            data = data[: len(data) // 2]
        else:
            data = bytearray(b"niet eens een cache-item")
        entry.write_bytes(bytes(data))
    again = run("scan", pdf, "-f", "json", "-j", "1")
    assert json.loads(again.stdout)["documents"] == json.loads(reference)["documents"]
    assert "Traceback" not in again.output
    # Every damaged entry was replaced by a good one.
    for entry in entries:
        assert entry.read_bytes() != b"niet eens een cache-item"
    third = run("scan", pdf, "-f", "json", "-j", "1")
    assert json.loads(third.stdout)["documents"] == json.loads(reference)["documents"]


def test_rule_change_rematches_only_that_rule(cache_dir, tmp_path):
    from policycheck.rules import builtin_rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), rules)
    text = tmp_path / "beleid.txt"
    text.write_text(PROCUREMENT, encoding="utf-8")
    before = json.loads(run("scan", str(text), "-f", "json", "-j", "1").stdout)
    rule = rules / "procurement" / "AB-LAAGSTE-PRIJS.yml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("severity: hoog", "severity: laag"), encoding="utf-8")
    # The extra folder replaces the built-in rule with the edited copy.
    after = json.loads(run("scan", str(text), "-f", "json", "-j", "1", "--rules", str(rules / "procurement")).stdout)
    old = {f["rule_id"]: f["severity"] for f in before["documents"][0]["findings"]}
    new = {f["rule_id"]: f["severity"] for f in after["documents"][0]["findings"]}
    assert old["AB-LAAGSTE-PRIJS"] == "hoog" and new["AB-LAAGSTE-PRIJS"] == "laag"
    assert set(old) == set(new)


def test_cache_info_and_clear(cache_dir):
    run("scan", str(CORPUS / "inkoopbeleid-velderhoven-2025.pdf"), "-q", "-j", "1")
    info = run("cache", "info")
    assert str(cache_dir) in info.output and "uitgelezen documenten: 1" in info.output
    cleared = run("cache", "clear")
    assert cleared.exit_code == 0 and "5 items verwijderd" in cleared.output
    assert not list(cache_dir.rglob("*.bin"))


def test_cache_folder_follows_xdg(monkeypatch, tmp_path):
    from policycheck.cache import default_folder

    monkeypatch.delenv("POLICYCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    import sys

    if sys.platform.startswith("linux"):
        assert default_folder() == tmp_path / "xdg" / "policycheck"


# -- many documents -------------------------------------------------------------


def test_jobs_give_the_same_results_in_input_order(cache_dir):
    paths = [str(p) for p in sorted(CORPUS.iterdir()) if p.suffix in (".pdf", ".docx")]
    serial = run("scan", *paths, "-f", "json", "-j", "1", "--no-cache")
    parallel = run("scan", *reversed(paths), "-f", "json", "-j", "2", "--no-cache")
    assert [d["path"] for d in json.loads(parallel.stdout)["documents"]] == list(reversed(paths))
    assert _findings(parallel.stdout) == list(reversed(_findings(serial.stdout)))


def test_a_parallel_batch_of_cached_and_new_documents_keeps_input_order(cache_dir, monkeypatch):
    # Documents already in the cache are scanned in the main process, the others in
    # the pool; the report must not show which went where.
    from policycheck import runner

    paths = [str(p) for p in sorted(CORPUS.iterdir()) if p.suffix in (".pdf", ".docx")]
    reference = run("scan", *paths, "-f", "json", "-j", "1", "--no-cache")
    run("scan", *paths[::2], "-q", "-j", "1")  # every other document goes into the cache
    split = []
    original = runner._split_cached
    monkeypatch.setattr(runner, "_split_cached", lambda *a: split.append(original(*a)) or split[-1])
    mixed = run("scan", *paths, "-f", "json", "-j", "2")
    here, there = split[0]
    assert sorted(here) == list(range(0, len(paths), 2)) and sorted(there) == list(range(1, len(paths), 2))
    assert [d["path"] for d in json.loads(mixed.stdout)["documents"]] == paths
    assert _findings(mixed.stdout) == _findings(reference.stdout)


def test_documents_with_only_their_text_cached_go_to_the_pool(cache_dir, monkeypatch):
    # After an update of the NLP pipeline the extraction is still cached, but every
    # clause must be analysed again: work for all cores, not for the main process.
    from policycheck import runner

    paths = [str(p) for p in sorted(CORPUS.iterdir()) if p.suffix in (".pdf", ".docx")][:4]
    reference = run("scan", *paths, "-f", "json", "-j", "1")
    shutil.rmtree(cache_dir / "nlp")
    split = []
    original = runner._split_cached
    monkeypatch.setattr(runner, "_split_cached", lambda *a: split.append(original(*a)) or split[-1])
    again = run("scan", *paths, "-f", "json", "-j", "2")
    assert split[0] == ([], [0, 1, 2, 3])
    assert _findings(again.stdout) == _findings(reference.stdout)


def test_a_bad_file_in_a_parallel_batch_is_reported_and_the_rest_scanned(tmp_path, cache_dir):
    good = tmp_path / "goed.txt"
    good.write_text(PROCUREMENT, encoding="utf-8")
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(b"%PDF-1.4\ngarbage")
    result = CliRunner().invoke(main, ["scan", str(bad), str(good), "-f", "json", "-j", "2"])
    assert result.exit_code == 2
    assert f"{bad}: beschadigde PDF" in result.stderr
    documents = json.loads(result.stdout)["documents"]
    assert [d["path"] for d in documents] == [str(bad), str(good)]
    assert documents[1]["findings"]


def test_closing_tables_per_document_and_topic(tmp_path, cache_dir):
    (tmp_path / "a.txt").write_text(PROCUREMENT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(IMPROVED, encoding="utf-8")
    out = run("scan", str(tmp_path), "--no-color").output
    tables = out[out.index("Per document"):]
    assert "belemmerend  ontbrekend  bevorderend  totaal" in tables
    a_row = next(line for line in tables.splitlines() if line.strip().startswith(str(tmp_path / "a.txt")))
    counts = json.loads(run("scan", str(tmp_path / "a.txt"), "-f", "json").stdout)["documents"][0]["counts"]
    expected = [counts["belemmerend"], counts["ontbrekend"], counts["bevorderend"], sum(counts.values())]
    assert a_row.split()[1:] == [str(n) for n in expected]
    assert "Per onderwerp" in tables and "award-criteria" in tables


def test_progress_bar_only_when_asked(capsys):
    from policycheck.runner import _Progress

    quiet = _Progress(3, enabled=False)
    quiet.advance()
    quiet.close()
    assert capsys.readouterr().err == ""
    single = _Progress(1, enabled=True)  # one document: no bar
    single.advance()
    single.close()
    assert capsys.readouterr().err == ""
    bar = _Progress(3, enabled=True)
    for _ in range(3):
        bar.advance()
    bar.close()
    err = capsys.readouterr().err
    assert "scannen" in err and "/3" in err


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, cache_dir):
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(PROCUREMENT, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "-q"])
    assert "scannen" not in result.stderr and "doc/s" not in result.stderr


# -- compare ----------------------------------------------------------------------


@pytest.fixture
def versions(tmp_path):
    old, new = tmp_path / "2021", tmp_path / "2025"
    old.mkdir()
    new.mkdir()
    (old / "inkoop.txt").write_text(PROCUREMENT, encoding="utf-8")
    (new / "inkoop.txt").write_text(IMPROVED, encoding="utf-8")
    (new / "alleen-nieuw.txt").write_text(PROCUREMENT, encoding="utf-8")
    return old, new


def test_compare_two_files_new_resolved_unchanged(versions, cache_dir):
    old, new = versions
    result = run("compare", str(old / "inkoop.txt"), str(new / "inkoop.txt"), "-f", "json")
    data = json.loads(result.stdout)
    doc = data["documents"][0]

    def prints(path):
        findings = json.loads(run("scan", str(path), "-f", "json").stdout)["documents"][0]["findings"]
        return {f["fingerprint"]: f["rule_id"] for f in findings}

    before, after = prints(old / "inkoop.txt"), prints(new / "inkoop.txt")
    assert sorted(f["rule_id"] for f in doc["new_findings"]) == sorted(after[k] for k in after.keys() - before.keys())
    assert sorted(f["rule_id"] for f in doc["resolved"]) == sorted(before[k] for k in before.keys() - after.keys())
    assert sorted(f["rule_id"] for f in doc["unchanged"]) == sorted(after[k] for k in after.keys() & before.keys())
    # The improved version gains the best price-quality ratio and loses the lowest-price clause.
    assert "AB-BPKV" in [f["rule_id"] for f in doc["new_findings"]]
    assert "AB-LAAGSTE-PRIJS" in [f["rule_id"] for f in doc["resolved"]]
    assert result.exit_code == 0  # nothing new that hinders
    worse = run("compare", str(new / "inkoop.txt"), str(old / "inkoop.txt"))
    assert worse.exit_code == 1  # the lowest-price clause came back: a new belemmerend finding
    assert "AB-LAAGSTE-PRIJS" in worse.output


def test_compare_folders_matches_names(versions, cache_dir):
    old, new = versions
    data = json.loads(run("compare", str(old), str(new), "-f", "json").stdout)
    names = {d["name"]: d for d in data["documents"]}
    assert set(names) == {"inkoop.txt", "alleen-nieuw.txt"}
    assert names["alleen-nieuw.txt"]["old"] is None
    assert {f["rule_id"] for f in names["alleen-nieuw.txt"]["new_findings"]} >= {"AB-LAAGSTE-PRIJS"}
    assert data["summary"]["resolved"] == names["inkoop.txt"]["counts"]["resolved"] >= 1


def test_compare_html_is_self_contained_and_escaped(versions, cache_dir, tmp_path):
    old, new = versions
    (new / "inkoop.txt").write_text(IMPROVED + "\nDe gemeente gunt <script>alert(1)</script> op basis van de beste prijs-kwaliteitverhouding.\n", encoding="utf-8")
    out = tmp_path / "vergelijking.html"
    result = run("compare", str(old), str(new), "-f", "html", "-o", str(out))
    assert result.exit_code == 1  # alleen-nieuw.txt brings a new belemmerend finding
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "http://" not in html.replace("https://", "") and "<link" not in html
    assert "Opgelost (1)" in html and "AB-LAAGSTE-PRIJS" in html


def test_compare_file_with_folder_is_a_usage_error(versions):
    old, new = versions
    result = CliRunner().invoke(main, ["compare", str(old / "inkoop.txt"), str(new)])
    assert result.exit_code == 2 and "twee bestanden of twee mappen" in result.output


# -- Dask -------------------------------------------------------------------------


def test_dask_executor_on_a_local_cluster(tmp_path, cache_dir):
    distributed = pytest.importorskip("distributed")
    from policycheck.rules import load_rules
    from policycheck.runner import Item, ScanSettings, run_scan

    paths = [CORPUS / "inkoopbeleid-velderhoven-2025.pdf", CORPUS / "subsidieregeling-initiatieven-lindenmaar-2026.docx"]
    ruleset = load_rules()
    settings = ScanSettings(use_cache=False)
    local = run_scan([Item(str(p)) for p in paths], ruleset, settings, jobs=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        remote = run_scan(
            [Item(str(p)) for p in paths], ruleset, settings, executor="dask", scheduler=cluster.scheduler_address
        )
    assert [r.path for r in remote.results] == [str(p) for p in paths]
    assert [[f.to_dict() for f in r.findings] for r in remote.results] == [
        [f.to_dict() for f in r.findings] for r in local.results
    ]
    assert remote.pipeline.name == local.pipeline.name


@pytest.mark.parametrize("change", ["severity", "broader-match"])
def test_rescan_after_each_rule_change_equals_a_fresh_scan(tmp_path, builtin_rules, change):
    # The cache re-matches only the changed rule, on the clauses where it could hit;
    # the result must equal a scan without any cache, for every rule.
    import copy

    from policycheck.cache import Cache
    from policycheck.scan import Scanner

    paths = [str(p) for p in sorted(CORPUS.iterdir()) if p.suffix in (".pdf", ".docx")]
    cached = Scanner(builtin_rules, cache=Cache(tmp_path / "cache"))
    for path in paths:
        cached.scan_path(path)
    # Every kind of rule, without re-scanning the corpus for each of the ~50 rules:
    # every document-level rule and every fifth clause rule.
    # ... and the first rules that look at the block or the article around a clause.
    around = [next(i for i, r in enumerate(builtin_rules.rules) if kind in json.dumps(r.match or r.absent))
              for kind in ("in_block", "in_article")]
    sample = sorted({i for i, r in enumerate(builtin_rules.rules) if r.document_level or i % 5 == 0} | set(around))
    for index in sample:
        rule = builtin_rules.rules[index]
        rules = copy.deepcopy(builtin_rules)
        edited = rules.rules[index]
        if change == "severity":
            edited.severity = "laag" if edited.severity != "laag" else "hoog"
        elif edited.match is not None:
            edited.match = {"any": [edited.match, {"phrase": "subsidie"}, {"regex": r"\bgemeente\b"}]}
        else:
            edited.absent = {"any": [edited.absent, {"phrase": "sociale werkplaats"}]}
        after_edit = Scanner(rules, cache=Cache(tmp_path / "cache"))
        fresh = Scanner(rules)
        for path in paths:
            got = [f.to_dict() for f in after_edit.scan_path(path).findings]
            want = [f.to_dict() for f in fresh.scan_path(path).findings]
            assert got == want, (rule.id, path)
        if change == "severity":
            # Only a message or severity changed: rebuilt from the cache, no NLP pipeline loaded.
            assert after_edit._nlp is None


@pytest.mark.parametrize("cache", ["--no-cache", None])
def test_one_document_with_spare_cores_gives_the_same_report(cache_dir, cache):
    # With --jobs 2 and one document, a worker extracts while this process loads the pipeline.
    pdf = str(CORPUS / "inkoopbeleid-velderhoven-2025.pdf")
    extra = [cache] if cache else []
    one = json.loads(run("scan", pdf, "-f", "json", "-j", "1", "--no-cache").stdout)["documents"]
    two = json.loads(run("scan", pdf, "-f", "json", "-j", "2", *extra).stdout)["documents"]
    assert two == one


# -- watch ------------------------------------------------------------------------


def test_watch_rescans_after_a_rule_edit_and_reports_a_broken_rule(tmp_path, cache_dir):
    # A rule author keeps `scan --watch` running and edits a rule: the report is
    # rewritten with the edited rule's findings; a YAML error is shown as file:line
    # and the watch goes on; Ctrl-C stops it with exit status 0.
    import os
    import queue
    import signal
    import subprocess
    import sys
    import threading

    from conftest import REPO

    rules = tmp_path / "regels"
    shutil.copytree(REPO / "rules" / "procurement", rules)
    document = tmp_path / "beleid.txt"
    document.write_text(PROCUREMENT.replace("laagste prijs", "laagste prijsstelling"), encoding="utf-8")
    report = tmp_path / "rapport.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "policycheck", "scan", str(document), "--rules", str(rules), "--watch",
         "-f", "json", "-o", str(report), "-q"],
        cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()

    seen: list[str] = []

    def wait_for(text: str) -> str:
        while True:
            try:
                line = lines.get(timeout=60)
            except queue.Empty:
                raise AssertionError(f"no {text!r} on stderr within 60 s; got {seen}") from None
            seen.append(line)
            if text in line:
                return line

    def rule_ids() -> set:
        return {f["rule_id"] for d in json.loads(report.read_text(encoding="utf-8"))["documents"] for f in d["findings"]}

    try:
        wait_for("wacht op wijzigingen")
        assert "AB-LAAGSTE-PRIJS" not in rule_ids()  # 'laagste prijsstelling' is not one of its phrases
        rule = rules / "AB-LAAGSTE-PRIJS.yml"
        text = rule.read_text(encoding="utf-8")
        assert text.count("- phrase: [laagste prijs,") == 1
        rule.write_text(text.replace("- phrase: [laagste prijs,", "- phrase: [laagste prijsstelling, laagste prijs,"),
                        encoding="utf-8")
        wait_for("opnieuw gescand")
        assert "AB-LAAGSTE-PRIJS" in rule_ids()
        rule.write_text(rule.read_text(encoding="utf-8") + "kapot: [\n", encoding="utf-8")
        assert "AB-LAAGSTE-PRIJS.yml:" in wait_for("fout in regel")
        wait_for("wacht op wijzigingen")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert wait_for("gestopt")
    finally:
        process.kill()


def test_clause_index_gives_every_key_even_ones_that_look_like_its_own_lines():
    # A re-scan after a rule edit looks up the edited phrases' keys here; a key the
    # index loses would hide a finding.
    from policycheck.nlp import load_pipeline
    from policycheck.scan import ClauseIndex

    nlp, _ = load_pipeline()
    texts = [
        'De "laagste" prijs\tgeldt voor alle opdrachten.',
        "Een tweede\n\nzin, met laagste kosten en \\ een backslash.",
        'n\t"laagste"\t0 1\nl\t"x"\t7',  # text in the form of the index's own lines
    ]
    docs = list(nlp.pipe(texts))
    want: tuple[dict, dict] = ({}, {})
    for number, doc in enumerate(docs):
        for token in doc:
            want[0].setdefault(token.norm_, set()).add(number)
            want[1].setdefault(token.lower_, set()).add(number)
    assert "\t" in want[1] and "\n\n" in want[1]
    index = ClauseIndex(ClauseIndex.build(docs))
    norm, lower = index.lookup(set(want[0]) | {"ontbreekt"}, set(want[1]) | {"ontbreekt"})
    assert {k: set(v) for k, v in norm.items()} == want[0]
    assert {k: set(v) for k, v in lower.items()} == want[1]
    key = next(t.norm_ for t in docs[0] if t.lower_ == "laagste")
    assert index.lookup({key}, set()) == ({key: [0, 1, 2]}, {})
    assert index.lookup(set(), set()) == ({}, {})  # an edited rule without phrases
