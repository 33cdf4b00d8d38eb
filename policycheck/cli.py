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
from policycheck.errors import (
    EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, InputError, PolicycheckError, RuleErrors,
)

FAIL_LEVELS = {
    # --fail-on X: exit 1 when a finding of X or of a more serious polarity occurs.
    "belemmerend": ("belemmerend",),
    "ontbrekend": ("belemmerend", "ontbrekend"),
    "none": (),
}


def _err(message: str, label: str = "") -> None:
    """One line on stderr. `message` may quote file names or document text, so its
    control characters are made visible (a file name cannot drive the terminal)."""
    from policycheck.extract.normalize import printable

    prefix = click.style("policycheck: ", bold=True) + (click.style(label, fg="red") if label else "")
    click.echo(prefix + printable(message), err=True)


def _fail(message: str) -> None:
    _err(message, "fout: ")
    sys.exit(EXIT_ERROR)


def _load_rules(extra_dirs):
    from policycheck.rules import load_rules

    try:
        return load_rules(tuple(extra_dirs))
    except RuleErrors as errors:
        for error in errors.errors:
            _err(str(error), "fout in regel: ")
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
            stream.flush()
            os.fsync(stream.fileno())  # the data is on disk before the rename makes it visible
        # mkstemp makes the file private (0600); give it the usual permissions of a new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def extract_options(command):
    """--password, --ocr and the limits, shared by `scan` and `extract`."""
    from policycheck.extract.options import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, DEFAULT_MAX_SECONDS, MB

    decorators = [
        click.option("--password", metavar="WACHTWOORD", default=None,
                     help="Wachtwoord van versleutelde PDF's (of zet POLICYCHECK_PASSWORD).",
                     envvar="POLICYCHECK_PASSWORD", show_envvar=False),
        click.option("--ocr", is_flag=True,
                     help="Lees PDF-pagina's zonder tekstlaag met OCR (Tesseract met Nederlands nodig)."),
        click.option("--max-pages", type=click.IntRange(min=0), default=DEFAULT_MAX_PAGES, show_default=True,
                     help="Weiger PDF's met meer pagina's (0 = geen grens)."),
        click.option("--max-size", type=click.IntRange(min=0), default=DEFAULT_MAX_BYTES // MB, show_default=True,
                     metavar="MB", help="Weiger grotere bestanden, en DOCX'en die groter uitpakken (0 = geen grens)."),
        click.option("--timeout", type=click.FloatRange(min=0), default=DEFAULT_MAX_SECONDS, show_default=True,
                     metavar="SECONDEN", help="Maximale verwerkingstijd per document (0 = geen grens)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _extract_options(password, ocr, max_pages, max_size, timeout):
    from policycheck.extract.options import MB, ExtractOptions

    if ocr:
        from policycheck.extract.ocr import INSTALL_HINT, tesseract_command

        if not tesseract_command():
            _fail(f"--ocr vraagt Tesseract met Nederlandse taaldata, maar die is niet gevonden ({INSTALL_HINT})")
    return ExtractOptions(password=password, max_pages=max_pages, max_bytes=max_size * MB,
                          max_seconds=timeout, ocr=ocr)


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
@extract_options
def scan(paths, fmt, output, policy_type, rule_dirs, fail_on, recursive, quiet, no_color,
         password, ocr, max_pages, max_size, timeout):
    """Scan beleidsdocumenten (PDF, DOCX, .txt/.md, of - voor standaardinvoer).

    Van een map worden de .pdf-, .docx-, .docm-, .txt- en .md-bestanden gescand (met -r
    ook die in submappen; verborgen bestanden nooit). Het formaat wordt aan de
    inhoud herkend, niet aan de extensie.

    \b
    Exitstatus:
      0    geen bevindingen op of boven --fail-on
      1    bevindingen op of boven --fail-on
      2    een document kon niet worden gelezen, of een fout in gebruik of regels
      130  onderbroken met Ctrl-C (het rapport met -o wordt dan niet geschreven)
    """
    try:
        _scan(paths, fmt, output, policy_type, rule_dirs, fail_on, recursive, quiet, no_color,
              _extract_options(password, ocr, max_pages, max_size, timeout))
    except KeyboardInterrupt:
        # Ctrl-C before the first document or while the report was written.
        _err("onderbroken (Ctrl-C)" + (f"; {output} is niet gewijzigd" if output else ""))
        sys.exit(EXIT_INTERRUPTED)


def _scan(paths, fmt, output, policy_type, rule_dirs, fail_on, recursive, quiet, no_color, options):
    from policycheck.report import render
    from policycheck.report.context import RunContext
    from policycheck.report.summary import summary_line
    from policycheck.scan import STDIN, DocumentResult, Scanner, expand_paths

    ruleset = _load_rules(rule_dirs)
    scanner = Scanner(ruleset, policy_type, options)
    if not quiet:
        for notice in ruleset.notices + scanner.compiled.notices:
            _err(notice)
        if scanner.pipeline.fallback:
            _err("let op: " + scanner.pipeline.description)
    inputs = list(expand_paths(paths, recursive))
    results = []
    interrupted = False
    try:
        for path, problem in inputs:
            if problem:
                result = DocumentResult(path=path, errors=[f"{path}: {problem}"])
            elif path == STDIN:
                limit = options.max_bytes + 1 if options.max_bytes else -1  # enough to see the limit passed
                result = scanner.scan_path("<stdin>", sys.stdin.buffer.read(limit))
            else:
                result = scanner.scan_path(path)
            for error in result.errors:
                _err(error, "fout: ")
            results.append(result)
    except KeyboardInterrupt:
        # Stop cleanly: keep what is done, never write a half report over an old one.
        interrupted = True

    to_terminal = output is None and fmt == "text"
    context = RunContext(
        version=__version__,
        pipeline=scanner.pipeline,
        rule_count=len(ruleset.rules),
        rule_sources=ruleset.sources,
        color=to_terminal and not no_color and sys.stdout.isatty(),
        width=min(shutil.get_terminal_size((100, 24)).columns, 110) - 2,
        quiet=quiet,
    )
    if interrupted:
        done = f"{len(results)} van {len(inputs)} documenten verwerkt"
        if output:
            _err(f"onderbroken (Ctrl-C) na {done}; rapport niet geschreven, {output} is niet gewijzigd. "
                 f"{summary_line(results)}")
        else:
            click.echo(render(results, fmt, context), nl=False)
            _err(f"onderbroken (Ctrl-C) na {done}; het rapport hierboven is onvolledig.")
        sys.exit(EXIT_INTERRUPTED)

    report = render(results, fmt, context)
    if output:
        try:
            write_output(output, report)
        except (OSError, PolicycheckError) as error:
            _fail(f"kan {output} niet schrijven: {error}")
        if not quiet:
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
@click.argument("path", metavar="BESTAND|-")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@extract_options
def extract(path, fmt, password, ocr, max_pages, max_size, timeout):
    """Toon wat policycheck uit een document leest: de blokken op volgorde, met soort,
    pagina of alineanummer, kopjespad en tekst. Handig om te zien waarom iets wel of
    niet is gevonden."""
    import json

    from policycheck.extract import extract as extract_document

    options = _extract_options(password, ocr, max_pages, max_size, timeout)
    try:
        if path == "-":
            limit = options.max_bytes + 1 if options.max_bytes else -1
            document = extract_document("<stdin>", sys.stdin.buffer.read(limit), options)
        else:
            document = extract_document(path, None, options)
    except InputError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _err("onderbroken (Ctrl-C)")
        sys.exit(EXIT_INTERRUPTED)
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
    from policycheck.extract.ocr import INSTALL_HINT, tesseract_command

    program = tesseract_command()
    click.echo(f"OCR (--ocr): Tesseract met Nederlands gevonden ({program})" if program
               else f"OCR (--ocr): niet beschikbaar; {INSTALL_HINT}")
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


@rules.command("lint")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP", help="Extra regelmap.")
def rules_lint(rule_dirs):
    """Controleer de regels op risico's die het laden niet tegenhoudt, zoals regexen die
    catastrofaal kunnen terugzoeken. Exitstatus 1 bij bevindingen, 2 bij ongeldige regels."""
    from policycheck.lint import lint_rules

    ruleset = _load_rules(rule_dirs)
    issues = lint_rules(ruleset.rules)
    for issue in issues:
        click.echo(str(issue))
    click.echo(f"{len(ruleset.rules)} regels gecontroleerd: {len(issues)} bevinding(en)")
    sys.exit(EXIT_FINDINGS if issues else EXIT_OK)
