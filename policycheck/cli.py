"""The `policycheck` command line: scan, extract, doctor and rules.

Heavy libraries (spaCy, pdfplumber, python-docx) are imported inside the commands,
so `policycheck --help` stays fast.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from policycheck import __version__
from policycheck.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, InputError, PolicycheckError, RuleErrors

FAIL_LEVELS = {
    # --fail-on X: exit 1 when a finding of X or of a more serious polarity occurs.
    "belemmerend": ("belemmerend",),
    "ontbrekend": ("belemmerend", "ontbrekend"),
    "none": (),
}


def _err(message: str, color: bool | None = None) -> None:
    click.echo(click.style("policycheck: ", bold=True) + message, err=True, color=color)


def _fail(message: str) -> None:
    _err(click.style("fout: ", fg="red") + message)
    sys.exit(EXIT_ERROR)


def _load_rules(extra_dirs):
    from policycheck.rules import load_rules

    try:
        return load_rules(tuple(extra_dirs))
    except RuleErrors as errors:
        for error in errors.errors:
            _err(click.style("fout in regel: ", fg="red") + str(error))
        sys.exit(EXIT_ERROR)


def write_output(path: str, text: str) -> None:
    """Write atomically: a crash leaves the old file or the complete new one."""
    target = Path(path)
    if target.is_dir():
        raise PolicycheckError(f"{path}: is een map; geef een bestandsnaam op met -o")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise PolicycheckError(f"{path}: map {folder} bestaat niet")
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="policycheck")
def main() -> None:
    """policycheck: vindt in gemeentelijk inkoop- en subsidiebeleid de bepalingen die
    sociale ondernemingen helpen of hinderen, met wat u beter kunt schrijven
    (stap 5 van het plan voor een sociaal-ondernemingsvriendelijke gemeente).

    \b
    Voorbeelden:
      policycheck scan beleid.pdf
      policycheck scan beleidsmap/ --format json -o bevindingen.json
      policycheck compare beleid-2021.pdf beleid-2025.pdf
      policycheck extract beleid.docx
      policycheck doctor
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="BESTAND|MAP|-...")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True, help="Uitvoerformaat.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Schrijf het rapport naar dit bestand in plaats van naar de terminal.")
@click.option("--type", "policy_type", type=click.Choice(["auto", "procurement", "subsidy"]), default="auto",
              show_default=True, help="Beleidstype; 'auto' herkent het en toont waaraan.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP",
              help="Extra regelmap (herhaalbaar).")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default="belemmerend", show_default=True,
              help="Exitstatus 1 bij bevindingen van dit niveau (ontbrekend telt ook belemmerend mee).")
@click.option("-r", "--recursive", is_flag=True, help="Scan bij een map ook de submappen.")
@click.option("-q", "--quiet", is_flag=True, help="Alleen de samenvattingsregel en fouten.")
@click.option("--no-color", is_flag=True, help="Geen kleuren in de terminaluitvoer.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Aantal documenten tegelijk (standaard: het aantal processorkernen).")
@click.option("--no-cache", is_flag=True,
              help="Lees en schrijf de cache niet (zie 'policycheck cache info').")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Waar de documenten worden gescand: op deze machine of op een Dask-cluster.")
@click.option("--scheduler", metavar="ADRES",
              help="Adres van de Dask-scheduler (bij --executor dask); zonder: een lokaal cluster.")
def scan(paths, fmt, output, policy_type, rule_dirs, fail_on, recursive, quiet, no_color, jobs, no_cache,
         executor, scheduler):
    """Scan beleidsdocumenten (PDF, DOCX, .txt/.md, of - voor standaardinvoer).

    Van een map worden de .pdf-, .docx-, .txt- en .md-bestanden gescand (met -r
    ook die in submappen; verborgen bestanden nooit). Het formaat wordt aan de
    inhoud herkend, niet aan de extensie. Meerdere documenten worden parallel
    gescand (--jobs); uitgelezen tekst en taalanalyse worden bewaard in de cache,
    zodat een nieuwe scan na een regelwijziging snel is.

    \b
    Exitstatus:
      0  geen bevindingen op of boven --fail-on
      1  bevindingen op of boven --fail-on
      2  een document kon niet worden gelezen, of een fout in gebruik of regels
    """
    from policycheck.report import render
    from policycheck.report.context import RunContext
    from policycheck.runner import Item, ScanSettings, default_jobs, run_scan
    from policycheck.scan import STDIN, expand_paths

    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler hoort bij --executor dask")
    ruleset = _load_rules(rule_dirs)
    if not quiet:
        for notice in ruleset.notices:
            _err(notice)
    items = []
    for path, problem in expand_paths(paths, recursive):
        if path == STDIN and not problem:
            items.append(Item("<stdin>", data=sys.stdin.buffer.read()))
        else:
            items.append(Item(path, problem=problem))

    def report_errors(result):
        for error in result.errors:
            _err(click.style("fout: ", fg="red") + error)

    settings = ScanSettings(policy_type=policy_type, use_cache=not no_cache)
    try:
        run = run_scan(
            items, ruleset, settings, jobs=jobs or default_jobs(), executor=executor, scheduler=scheduler,
            on_result=report_errors, progress=not quiet and sys.stderr.isatty(),
        )
    except PolicycheckError as error:
        _fail(str(error))
    results = run.results
    if not quiet:
        for notice in run.notices:
            _err(notice)
        if run.pipeline.fallback:
            _err("let op: " + run.pipeline.description)

    to_terminal = output is None and fmt == "text"
    context = RunContext(
        version=__version__,
        pipeline=run.pipeline,
        rule_count=len(ruleset.rules),
        rule_sources=ruleset.sources,
        color=to_terminal and not no_color and sys.stdout.isatty(),
        width=min(shutil.get_terminal_size((100, 24)).columns, 110) - 2,
        quiet=quiet,
    )
    report = render(results, fmt, context)
    if output:
        try:
            write_output(output, report)
        except (OSError, PolicycheckError) as error:
            _fail(f"kan {output} niet schrijven: {error}")
        if not quiet:
            from policycheck.report.summary import summary_line

            _err(f"rapport geschreven naar {output}: {summary_line(results)}")
    else:
        click.echo(report, nl=False)

    if any(result.failed for result in results):
        sys.exit(EXIT_ERROR)
    failing = FAIL_LEVELS[fail_on]
    if any(f.polarity in failing for result in results for f in result.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.command()
@click.argument("old", metavar="OUD", type=click.Path(exists=True))
@click.argument("new", metavar="NIEUW", type=click.Path(exists=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True, help="Uitvoerformaat.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Schrijf het rapport naar dit bestand in plaats van naar de terminal.")
@click.option("--type", "policy_type", type=click.Choice(["auto", "procurement", "subsidy"]), default="auto",
              show_default=True, help="Beleidstype; 'auto' herkent het.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP",
              help="Extra regelmap (herhaalbaar).")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default="belemmerend", show_default=True,
              help="Exitstatus 1 bij NIEUWE bevindingen van dit niveau.")
@click.option("-r", "--recursive", is_flag=True, help="Vergelijk bij mappen ook de submappen.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Aantal documenten tegelijk (standaard: het aantal processorkernen).")
@click.option("--no-cache", is_flag=True, help="Lees en schrijf de cache niet.")
@click.option("--no-color", is_flag=True, help="Geen kleuren in de terminaluitvoer.")
def compare(old, new, fmt, output, policy_type, rule_dirs, fail_on, recursive, jobs, no_cache, no_color):
    """Vergelijk twee versies van beleid: welke bevindingen zijn nieuw, opgelost
    of ongewijzigd (gekoppeld op vingerafdruk). Geef twee bestanden, of twee
    mappen waarin documenten met dezelfde naam worden vergeleken.

    \b
    Voorbeelden:
      policycheck compare inkoopbeleid-2021.pdf inkoopbeleid-2025.pdf
      policycheck compare beleid-2021/ beleid-2025/ --format html -o voortgang.html
    """
    from policycheck import compare as cmp
    from policycheck.runner import Item, ScanSettings, default_jobs, run_scan

    try:
        pairs = cmp.pair_paths(old, new, recursive)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    ruleset = _load_rules(rule_dirs)
    paths = list(dict.fromkeys(p for _, a, b in pairs for p in (a, b) if p))

    def report_errors(result):
        for error in result.errors:
            _err(click.style("fout: ", fg="red") + error)

    run = run_scan(
        [Item(p) for p in paths], ruleset, ScanSettings(policy_type=policy_type, use_cache=not no_cache),
        jobs=jobs or default_jobs(), on_result=report_errors, progress=sys.stderr.isatty(),
    )
    comparisons = cmp.compare_results(pairs, {r.path: r for r in run.results})
    if fmt == "json":
        report = cmp.render_json(comparisons, __version__)
    elif fmt == "html":
        report = cmp.render_html(comparisons, __version__)
    else:
        report = cmp.render_text(comparisons, color=output is None and not no_color and sys.stdout.isatty())
    if output:
        try:
            write_output(output, report)
        except (OSError, PolicycheckError) as error:
            _fail(f"kan {output} niet schrijven: {error}")
        _err(f"rapport geschreven naar {output}: {cmp.summary_line(comparisons)}")
    else:
        click.echo(report, nl=False)
    if any(c.failed for c in comparisons):
        sys.exit(EXIT_ERROR)
    failing = FAIL_LEVELS[fail_on]
    sys.exit(EXIT_FINDINGS if any(f.polarity in failing for c in comparisons for f in c.new_findings) else EXIT_OK)


@main.group()
def cache():
    """De cache van uitgelezen tekst en taalanalyse bekijken of legen.

    De cache staat in $POLICYCHECK_CACHE_DIR, anders in de cachemap van de
    gebruiker ($XDG_CACHE_HOME/policycheck of ~/.cache/policycheck op Linux).
    Een beschadigd item wordt weggegooid en opnieuw gemaakt.
    """


@cache.command("info")
def cache_info():
    """Toon waar de cache staat en hoeveel hij bevat."""
    from policycheck.cache import Cache

    info = Cache().info()
    click.echo(f"Cachemap: {info['folder']}")
    labels = {"extract": "uitgelezen documenten", "nlp": "taalanalyses", "index": "zoekindexen",
              "findings": "bevindingen per regel"}
    for kind, count in info["entries"].items():
        click.echo(f"  {labels.get(kind, kind)}: {count}")
    click.echo(f"  grootte: {info['bytes'] / 1_000_000:.1f} MB")


@cache.command("clear")
def cache_clear():
    """Leeg de cache."""
    from policycheck.cache import Cache

    store = Cache()
    removed = store.clear()
    click.echo(f"Cache geleegd: {removed} items verwijderd uit {store.folder}")


@main.command()
@click.argument("path", metavar="BESTAND|-")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def extract(path, fmt):
    """Toon wat policycheck uit een document leest: de blokken op volgorde, met soort,
    pagina of alineanummer, kopjespad en tekst. Handig om te zien waarom iets wel of
    niet is gevonden."""
    import json

    from policycheck.extract import extract as extract_document

    try:
        if path == "-":
            document = extract_document("<stdin>", sys.stdin.buffer.read())
        else:
            document = extract_document(path)
    except InputError as error:
        _fail(str(error))
    for warning in document.warnings:
        _err(f"waarschuwing: {warning}")
    if fmt == "json":
        data = {
            "path": document.path,
            "sha256": document.sha256,
            "format": document.format,
            "title": document.title,
            "pages": document.pages,
            "warnings": document.warnings,
            "blocks": [block.to_dict() for block in document.blocks],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for block in document.blocks:
        where = block.location_label()
        path_text = f"  [{block.heading_path_text}]" if block.heading_path else ""
        click.echo(f"#{block.index + 1} {block.kind} {where}{path_text}")
        click.echo(f"    {block.text}")


@main.command()
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP", help="Extra regelmap.")
def doctor(rule_dirs):
    """Toon de installatie: welk Nederlands taalmodel draait, de versies van de
    bibliotheken en hoeveel regels waar vandaan zijn geladen."""
    from importlib import metadata

    from policycheck.nlp import INSTALL_MODEL, MODEL_NAME, load_pipeline

    click.echo(f"policycheck {__version__} (Python {sys.version.split()[0]})")
    _, info = load_pipeline()
    if info.fallback:
        click.echo(f"Taalmodel: {MODEL_NAME} is NIET geïnstalleerd.")
        click.echo(f"  Nu actief: {info.description}")
        click.echo(f"  Installeer het model met: {INSTALL_MODEL}")
    else:
        click.echo(f"Taalmodel: {info.description}")
    click.echo(f"  Onderdelen: {', '.join(info.components)}")
    for package in ("spacy", "spacy-lookups-data", "pdfplumber", "pypdfium2", "python-docx", "PyYAML"):
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "niet geïnstalleerd"
        click.echo(f"{package}: {version}")
    ruleset = _load_rules(rule_dirs)
    click.echo(f"Regels: {len(ruleset.rules)} geladen")
    for folder, count in ruleset.sources:
        click.echo(f"  {count:3d} uit {folder}")
    for notice in ruleset.notices:
        click.echo(f"  let op: {notice}")


@main.group()
def rules():
    """Regels bekijken en testen."""


@rules.command("list")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP", help="Extra regelmap.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_list(rule_dirs, fmt):
    """Toon de geladen regels: id, soort, beleidstypen en titel."""
    import json

    ruleset = _load_rules(rule_dirs)
    if fmt == "json":
        click.echo(json.dumps([rule.summary() for rule in ruleset.rules], ensure_ascii=False, indent=2))
        return
    width = max((len(rule.id) for rule in ruleset.rules), default=10)
    for rule in sorted(ruleset.rules, key=lambda r: r.id):
        types = ",".join(rule.applies_to)
        click.echo(f"{rule.id:<{width}}  {rule.polarity:<11}  {types:<21}  {rule.title}")
    click.echo(f"{len(ruleset.rules)} regels")


@rules.command("test")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP", help="Extra regelmap.")
def rules_test(rule_dirs):
    """Voer de voorbeelden van elke regel uit (moet wel / moet niet treffen)."""
    from policycheck.match import CompiledRules
    from policycheck.nlp import load_pipeline
    from policycheck.ruletest import run_rule_examples

    ruleset = _load_rules(rule_dirs)
    nlp, info = load_pipeline()
    compiled = CompiledRules(ruleset.rules, nlp, info)
    failures = []
    examples = 0
    for rule in ruleset.rules:
        examples += len(rule.examples_match) + len(rule.examples_no_match)
        failures.extend(run_rule_examples(rule, compiled))
    for failure in failures:
        click.echo(click.style("MISLUKT ", fg="red") + str(failure))
    click.echo(f"{len(ruleset.rules)} regels, {examples} voorbeelden: {examples - len(failures)} goed, {len(failures)} mislukt")
    sys.exit(EXIT_FINDINGS if failures else EXIT_OK)
