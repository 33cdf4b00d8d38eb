"""The `policycheck` command line: scan, extract, doctor and rules.

Heavy libraries (spaCy, pdfplumber, python-docx) are imported inside the commands,
so `policycheck --help` stays fast.
"""

from __future__ import annotations

import shutil
import sys

import click

from policycheck import __version__
from policycheck.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, InputError, PolicycheckError, RuleErrors
from policycheck.output import check_output_path, write_output

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
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html", "sarif", "csv", "xlsx"]),
              default="text", show_default=True,
              help="Uitvoerformaat: terminal, JSON, HTML, SARIF 2.1.0, CSV of Excel (xlsx, alleen met -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Schrijf het rapport (of met --annotate de geannoteerde kopie) naar dit bestand.")
@click.option("--annotate", is_flag=True,
              help="Schrijf met -o een kopie van het PDF- of DOCX-document met de bevindingen erin: "
                   "Word-opmerkingen of PDF-markeringen. Het origineel blijft ongewijzigd; "
                   "het rapport gaat dan naar de terminal.")
@click.option("--type", "policy_type", type=click.Choice(["auto", "procurement", "subsidy"]), default="auto",
              show_default=True, help="Beleidstype; 'auto' herkent het en toont waaraan.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP",
              help="Extra regelmap (herhaalbaar).")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default="belemmerend", show_default=True,
              help="Exitstatus 1 bij bevindingen van dit niveau (ontbrekend telt ook belemmerend mee).")
@click.option("-r", "--recursive", is_flag=True, help="Scan bij een map ook de submappen.")
@click.option("-q", "--quiet", is_flag=True, help="Alleen de samenvattingsregel en fouten.")
@click.option("--no-color", is_flag=True, help="Geen kleuren in de terminaluitvoer.")
def scan(paths, fmt, output, annotate, policy_type, rule_dirs, fail_on, recursive, quiet, no_color):
    """Scan beleidsdocumenten (PDF, DOCX, .txt/.md, of - voor standaardinvoer).

    Van een map worden de .pdf-, .docx-, .txt- en .md-bestanden gescand (met -r
    ook die in submappen; verborgen bestanden nooit). Het formaat wordt aan de
    inhoud herkend, niet aan de extensie.

    \b
    Voorbeelden:
      policycheck scan beleid.docx --annotate -o beleid.policycheck.docx
      policycheck scan beleid.pdf --annotate -o beleid.policycheck.pdf
      policycheck scan beleidsmap/ --format xlsx -o bevindingen.xlsx
      policycheck scan beleidsmap/ --format sarif -o bevindingen.sarif

    \b
    Exitstatus:
      0  geen bevindingen op of boven --fail-on
      1  bevindingen op of boven --fail-on
      2  een document kon niet worden gelezen, of een fout in gebruik of regels
    """
    from policycheck.report import BINARY_FORMATS, render
    from policycheck.report.context import RunContext
    from policycheck.scan import STDIN, Scanner, expand_paths

    report_output = None if annotate else output
    if annotate:
        _check_annotate_usage(paths, output, fmt)
    elif fmt in BINARY_FORMATS and not output:
        _fail(f"--format {fmt} schrijft een bestand; geef de naam op met -o, bijvoorbeeld -o bevindingen.{fmt}")
    if output:
        try:
            check_output_path(output, [] if paths == ("-",) else _input_files(paths, recursive))
        except PolicycheckError as error:
            _fail(str(error))
    ruleset = _load_rules(rule_dirs)
    scanner = Scanner(ruleset, policy_type)
    if not quiet:
        for notice in ruleset.notices + scanner.compiled.notices:
            _err(notice)
        if scanner.pipeline.fallback:
            _err("let op: " + scanner.pipeline.description)
    results = []
    source_bytes = None  # with --annotate: the bytes the scan read
    for path, problem in expand_paths(paths, recursive):
        if problem:
            from policycheck.scan import DocumentResult

            result = DocumentResult(path=path, errors=[f"{path}: {problem}"])
        elif path == STDIN:
            result = scanner.scan_path("<stdin>", sys.stdin.buffer.read())
        elif annotate:
            result, source_bytes = _scan_for_annotation(scanner, path)
        else:
            result = scanner.scan_path(path)
        for error in result.errors:
            _err(click.style("fout: ", fg="red") + error)
        results.append(result)

    if annotate and not results[0].failed:
        _write_annotated(results[0], source_bytes, output, quiet)

    to_terminal = report_output is None and fmt == "text"
    context = RunContext(
        version=__version__,
        pipeline=scanner.pipeline,
        rule_count=len(ruleset.rules),
        rule_sources=ruleset.sources,
        rules=ruleset.rules,
        color=to_terminal and not no_color and sys.stdout.isatty(),
        width=min(shutil.get_terminal_size((100, 24)).columns, 110) - 2,
        quiet=quiet,
    )
    report = render(results, fmt, context)
    if report_output:
        try:
            write_output(report_output, report)
        except (OSError, PolicycheckError) as error:
            _fail(f"kan {report_output} niet schrijven: {error}")
        if not quiet:
            from policycheck.report.summary import summary_line

            _err(f"rapport geschreven naar {report_output}: {summary_line(results)}")
    else:
        click.echo(report, nl=False)

    if any(result.failed for result in results):
        sys.exit(EXIT_ERROR)
    failing = FAIL_LEVELS[fail_on]
    if any(f.polarity in failing for result in results for f in result.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _input_files(paths, recursive) -> list[str]:
    from policycheck.scan import expand_paths

    return [path for path, problem in expand_paths(paths, recursive) if not problem]


def _check_annotate_usage(paths, output, fmt) -> None:
    """--annotate writes one copy of one file: check that before any work is done."""
    from pathlib import Path

    if not output:
        _fail("--annotate schrijft een kopie van het document; geef de naam op met -o, "
              "bijvoorbeeld -o beleid.policycheck.docx")
    if len(paths) != 1 or paths[0] == "-" or Path(paths[0]).is_dir():
        _fail("--annotate werkt op één PDF- of DOCX-bestand (geen map, geen standaardinvoer)")
    if fmt == "xlsx":
        _fail("--format xlsx kan niet samen met --annotate: -o is dan de geannoteerde kopie")


def _scan_for_annotation(scanner, path):
    """Scan `path` from bytes read once, so the copy is made of exactly what was scanned."""
    from policycheck.extract import read_input
    from policycheck.scan import DocumentResult

    try:
        data = read_input(path)
    except InputError as error:
        return DocumentResult(path=path, errors=[str(error)]), None
    return scanner.scan_path(path, data), data


def _write_annotated(result, data: bytes, output: str, quiet: bool) -> None:
    from pathlib import Path

    from policycheck.annotate import ANNOTATABLE, AnnotateError, annotate

    document = result.document
    suffixes = ANNOTATABLE.get(document.format)
    if suffixes is None:
        _fail(f"{result.path}: --annotate werkt alleen voor PDF en DOCX, dit is {document.format} "
              "(gebruik --format html voor een rapport met gemarkeerde bepalingen)")
    if Path(output).suffix.lower() not in suffixes:
        _fail(f"{output}: de kopie van een {document.format.upper()} moet eindigen op {suffixes[0]}")
    try:
        annotated = annotate(document, result.findings, data)
    except AnnotateError as error:
        _fail(str(error))
    for note in annotated.notes:
        _err(f"let op: {note}")
    try:
        write_output(output, annotated.data)
    except (OSError, PolicycheckError) as error:
        _fail(f"kan {output} niet schrijven: {error}")
    if not quiet:
        what = "opmerkingen" if document.format == "docx" else "markeringen"
        _err(f"geannoteerde kopie geschreven naar {output}: {annotated.placed} {what}")


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
