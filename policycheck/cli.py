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
        # mkstemp makes the file private (0600); a report is meant to be shared, so
        # give it the permissions any new file gets under the user's umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)
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
      policycheck extract beleid.docx
      policycheck doctor
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="BESTAND|MAP|-...")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True, help="Uitvoerformaat.")
@click.option("-o", "--output", type=click.Path(),
              help="Schrijf het rapport naar dit bestand in plaats van naar de terminal. Bij --format html "
                   "met een map of meerdere bestanden: een map, met een rapport per document en index.html.")
@click.option("--type", "policy_type", type=click.Choice(["auto", "procurement", "subsidy"]), default="auto",
              show_default=True, help="Beleidstype; 'auto' herkent het en toont waaraan.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP",
              help="Extra regelmap (herhaalbaar).")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default="belemmerend", show_default=True,
              help="Exitstatus 1 bij bevindingen van dit niveau (ontbrekend telt ook belemmerend mee).")
@click.option("-r", "--recursive", is_flag=True, help="Scan bij een map ook de submappen.")
@click.option("-q", "--quiet", is_flag=True, help="Alleen de samenvattingsregel en fouten.")
@click.option("--no-color", is_flag=True, help="Geen kleuren in de terminaluitvoer.")
@click.option("--review", "review_files", multiple=True, type=click.Path(), metavar="BESTAND",
              help="Beoordelingen (JSON, gedownload uit het HTML-rapport) toepassen; herhaalbaar.")
@click.option("--hide-dismissed", is_flag=True, help="Verberg bevindingen die in --review zijn afgewezen.")
def scan(paths, fmt, output, policy_type, rule_dirs, fail_on, recursive, quiet, no_color, review_files,
         hide_dismissed):
    """Scan beleidsdocumenten (PDF, DOCX, .txt/.md, of - voor standaardinvoer).

    Van een map worden de .pdf-, .docx-, .txt- en .md-bestanden gescand (met -r
    ook die in submappen; verborgen bestanden nooit). Het formaat wordt aan de
    inhoud herkend, niet aan de extensie.

    \b
    Met --review past u beoordelingen uit het HTML-rapport toe: afgewezen
    bevindingen worden als afgewezen getoond (of verborgen met --hide-dismissed)
    en tellen niet mee voor de exitstatus.

    \b
    Exitstatus:
      0  geen bevindingen op of boven --fail-on
      1  bevindingen op of boven --fail-on
      2  een document kon niet worden gelezen, of een fout in gebruik of regels
    """
    from policycheck.report import render
    from policycheck.report.context import RunContext
    from policycheck.scan import STDIN, Scanner, expand_paths

    if hide_dismissed and not review_files:
        _fail("--hide-dismissed werkt alleen samen met --review BESTAND")
    review = None
    if review_files:
        from policycheck.review import ReviewFileError, load_decisions

        try:
            review = load_decisions(review_files, hide_dismissed)
        except ReviewFileError as error:
            _fail(str(error))
    html_folder = fmt == "html" and (len(paths) > 1 or any(p != STDIN and Path(p).is_dir() for p in paths))
    if html_folder:
        _check_html_folder(output)
    ruleset = _load_rules(rule_dirs)
    scanner = Scanner(ruleset, policy_type)
    if not quiet:
        for notice in ruleset.notices + scanner.compiled.notices:
            _err(notice)
        if scanner.pipeline.fallback:
            _err("let op: " + scanner.pipeline.description)
    results = []
    for path, problem in expand_paths(paths, recursive):
        if problem:
            from policycheck.scan import DocumentResult

            result = DocumentResult(path=path, errors=[f"{path}: {problem}"])
        elif path == STDIN:
            result = scanner.scan_path("<stdin>", sys.stdin.buffer.read())
        else:
            result = scanner.scan_path(path)
        for error in result.errors:
            _err(click.style("fout: ", fg="red") + error)
        results.append(result)

    if review is not None:
        from policycheck.review import apply_review

        apply_review(results, review)
        if not quiet:
            for notice in review.notices:
                _err(notice)
            if review.hidden:
                _err(f"{review.hidden} afgewezen bevinding(en) verborgen (--hide-dismissed)")
        for decision in review.stale:
            where = f" ({decision.rule_id})" if decision.rule_id else ""
            _err(f"verouderde beoordeling {decision.fingerprint}{where} uit {decision.source}: "
                 "deze bevinding komt in deze scan niet meer voor")

    to_terminal = output is None and fmt == "text"
    context = RunContext(
        version=__version__,
        pipeline=scanner.pipeline,
        rule_count=len(ruleset.rules),
        rule_sources=ruleset.sources,
        color=to_terminal and not no_color and sys.stdout.isatty(),
        width=min(shutil.get_terminal_size((100, 24)).columns, 110) - 2,
        quiet=quiet,
        review=review,
        rule_topics=_rule_topics(ruleset),
    )
    if html_folder:
        _write_html_folder(results, context, output, quiet)
    elif output:
        try:
            write_output(output, render(results, fmt, context))
        except (OSError, PolicycheckError) as error:
            _fail(f"kan {output} niet schrijven: {error}")
        if not quiet:
            from policycheck.report.summary import summary_line

            _err(f"rapport geschreven naar {output}: {summary_line(results)}")
    else:
        click.echo(render(results, fmt, context), nl=False)

    if any(result.failed for result in results):
        sys.exit(EXIT_ERROR)
    failing = FAIL_LEVELS[fail_on]
    # A finding the reviewer dismissed (with a reason) no longer fails the run.
    if any(f.polarity in failing and not (review and review.is_dismissed(f))
           for result in results for f in result.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _rule_topics(ruleset) -> dict:
    from policycheck.rules import POLICY_TYPES

    return {
        policy_type: sorted({rule.topic for rule in ruleset.rules if rule.applies_to_type(policy_type)})
        for policy_type in POLICY_TYPES
    }


def _check_html_folder(output) -> None:
    """HTML for a folder or several files is one page per document plus index.html,
    so -o names a folder (created when missing), never a single file."""
    if output is None:
        _fail("--format html met een map of meerdere bestanden maakt een rapport per document: "
              "geef een uitvoermap op met -o MAP")
    target = Path(output)
    if target.exists() and not target.is_dir():
        _fail(f"{output}: is een bestand; geef bij --format html met een map of meerdere bestanden "
              "een uitvoermap op met -o MAP")
    if not target.exists() and target.suffix.lower() in (".html", ".htm"):
        _fail(f"{output}: bij --format html met een map of meerdere bestanden is -o een map "
              "(met een rapport per document en index.html), geen .html-bestand")


def _write_html_folder(results, context, output, quiet) -> None:
    from policycheck.report.html import INDEX_NAME, render_directory

    pages = render_directory(results, context)
    try:
        Path(output).mkdir(parents=True, exist_ok=True)
        for name, page in pages.items():
            write_output(str(Path(output) / name), page)
    except (OSError, PolicycheckError) as error:
        _fail(f"kan de rapporten niet schrijven in {output}: {error}")
    if not quiet:
        from policycheck.report.summary import summary_line

        reports = len(pages) - 1
        _err(f"{reports} rapport(en) en {INDEX_NAME} geschreven in {output}: {summary_line(results)}")


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
