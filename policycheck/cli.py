"""The `policycheck` command line: scan, extract, doctor and rules.

Heavy libraries (spaCy, pdfplumber, python-docx) are imported inside the commands,
so `policycheck --help` stays fast.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from policycheck import __version__
from policycheck.errors import (
    EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, InputError, PolicycheckError, RuleErrors,
)
from policycheck.output import check_output_path, write_output

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


def rule_options(command):
    """--rules and --config, shared by every command that loads rules."""
    command = click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="BESTAND",
                           help="Configuratiebestand (standaard: policycheck.yaml in deze map of erboven).")(command)
    command = click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), metavar="MAP",
                           help="Extra regelmap (herhaalbaar).")(command)
    return command


def _load_rules(extra_dirs, config_path=None, use_cache=True):
    """Load rules and configuration, or print every problem as file:line and exit 2.

    With the cache, regexes that passed their check in an earlier run are not checked again.
    """
    from policycheck.cache import Cache
    from policycheck.config import load_ruleset

    cache = Cache(enabled=use_cache)
    before = cache.checked_patterns()
    checked = set(before)
    try:
        ruleset, config = load_ruleset(tuple(extra_dirs), config_path, checked=checked)
        ruleset.config_path = str(config.path) if config else None
        cache.put_checked_patterns(checked, before)
        return ruleset
    except RuleErrors as errors:
        for error in errors.errors:
            _err(str(error), "fout in regel: ")
        sys.exit(EXIT_ERROR)


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


GC_THRESHOLD = 20_000  # allocations between young-generation collections (Python: 700)


def run() -> None:
    """The console entry point: `main`, then end the process without Python's clean-up.

    After a scan the interpreter holds spaCy's vocabulary, the lemma table and the
    compiled rules; freeing them object by object at exit takes about 0.25 s and
    serves nothing. Every file has been written and closed by then (reports also
    fsync'd), so: run the exit handlers, flush the standard streams, and leave with
    the same exit status.
    """
    import atexit
    import gc
    import os

    # A scan makes many objects that live to the end (spaCy, the lemma table, the
    # documents); Python's default of a collection every 700 allocations walked them
    # over and over (a third of a cached re-scan). Collect less often instead.
    gc.set_threshold(GC_THRESHOLD, 20, 20)
    try:
        main()
        status = EXIT_OK
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            status = done.code or EXIT_OK
        else:  # sys.exit("text"): print it, as Python would
            print(done.code, file=sys.stderr)
            status = EXIT_ERROR
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            pass
    os._exit(status)


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
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html", "sarif", "csv", "xlsx"]),
              default="text", show_default=True,
              help="Uitvoerformaat: terminal, JSON, HTML, SARIF 2.1.0, CSV of Excel (xlsx, alleen met -o).")
@click.option("-o", "--output", type=click.Path(),
              help="Schrijf het rapport (of met --annotate de geannoteerde kopie) naar dit bestand. Bij --format "
                   "html met een map of meerdere bestanden: een map, met een rapport per document en index.html.")
@click.option("--annotate", is_flag=True,
              help="Schrijf met -o een kopie van het PDF- of DOCX-document met de bevindingen erin: "
                   "Word-opmerkingen of PDF-markeringen. Het origineel blijft ongewijzigd; "
                   "het rapport gaat dan naar de terminal.")
@click.option("--type", "policy_type", type=click.Choice(["auto", "procurement", "subsidy"]), default="auto",
              show_default=True, help="Beleidstype; 'auto' herkent het en toont waaraan.")
@rule_options
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default="belemmerend", show_default=True,
              help="Exitstatus 1 bij bevindingen van dit niveau (ontbrekend telt ook belemmerend mee).")
@click.option("-r", "--recursive", is_flag=True, help="Scan bij een map ook de submappen.")
@click.option("--explain", is_flag=True, help="Toon per bevinding welke voorwaarde op welke woorden trof.")
@click.option("-q", "--quiet", is_flag=True, help="Alleen de samenvattingsregel en fouten.")
@click.option("--no-color", is_flag=True, help="Geen kleuren in de terminaluitvoer.")
@click.option("--review", "review_files", multiple=True, type=click.Path(), metavar="BESTAND",
              help="Beoordelingen (JSON, gedownload uit het HTML-rapport) toepassen; herhaalbaar.")
@click.option("--hide-dismissed", is_flag=True, help="Verberg bevindingen die in --review zijn afgewezen.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Aantal documenten tegelijk (standaard: het aantal processorkernen).")
@click.option("--no-cache", is_flag=True,
              help="Lees en schrijf de cache niet (zie 'policycheck cache info').")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Waar de documenten worden gescand: op deze machine of op een Dask-cluster.")
@click.option("--scheduler", metavar="ADRES",
              help="Adres van de Dask-scheduler (bij --executor dask); zonder: een lokaal cluster.")
@click.option("--watch", is_flag=True,
              help="Blijf kijken: scan opnieuw zodra een regel, de configuratie of een document wijzigt "
                   "(voor regelschrijvers; Ctrl-C stopt).")
@extract_options
def scan(paths, fmt, output, annotate, policy_type, rule_dirs, config_path, fail_on, recursive, explain, quiet,
         no_color, review_files, hide_dismissed, jobs, no_cache, executor, scheduler, watch,
         password, ocr, max_pages, max_size, timeout):
    """Scan beleidsdocumenten (PDF, DOCX, .txt/.md, of - voor standaardinvoer).

    Van een map worden de .pdf-, .docx-, .docm-, .txt- en .md-bestanden gescand (met -r
    ook die in submappen; verborgen bestanden nooit). Het formaat wordt aan de
    inhoud herkend, niet aan de extensie. Meerdere documenten worden parallel
    gescand (--jobs); uitgelezen tekst en taalanalyse worden bewaard in de cache,
    zodat een nieuwe scan na een regelwijziging snel is.

    \b
    Met --review past u beoordelingen uit het HTML-rapport toe: afgewezen
    bevindingen worden als afgewezen getoond (of verborgen met --hide-dismissed)
    en tellen niet mee voor de exitstatus.

    \b
    Voorbeelden:
      policycheck scan beleid.pdf --format html -o rapport.html
      policycheck scan beleidsmap/ --format html -o rapporten/
      policycheck scan beleid.pdf --review beoordelingen.json
      policycheck scan beleid.docx --annotate -o beleid.policycheck.docx
      policycheck scan beleid.pdf --annotate -o beleid.policycheck.pdf
      policycheck scan beleidsmap/ --format xlsx -o bevindingen.xlsx
      policycheck scan beleidsmap/ --format sarif -o bevindingen.sarif
      policycheck scan corpus/ --rules mijnregels/ --watch -q

    \b
    Exitstatus:
      0    geen bevindingen op of boven --fail-on
      1    bevindingen op of boven --fail-on
      2    een document kon niet worden gelezen, of een fout in gebruik of regels
      130  onderbroken met Ctrl-C (het rapport met -o wordt dan niet geschreven)
    """
    request = dict(
        paths=paths, fmt=fmt, output=output, annotate=annotate, policy_type=policy_type, rule_dirs=rule_dirs,
        config_path=config_path, fail_on=fail_on, recursive=recursive, explain=explain, quiet=quiet,
        no_color=no_color, review_files=review_files, hide_dismissed=hide_dismissed, jobs=jobs,
        no_cache=no_cache, executor=executor, scheduler=scheduler,
    )
    options = _extract_options(password, ocr, max_pages, max_size, timeout)
    if watch:
        _watch(request, options)
    try:
        _scan(options=options, **request)
    except KeyboardInterrupt:
        # Ctrl-C before the first document or while the report was written.
        _err("onderbroken (Ctrl-C)" + (f"; {output} is niet gewijzigd" if output else ""))
        sys.exit(EXIT_INTERRUPTED)


def _watch(request: dict, options) -> None:
    """scan --watch: scan, then scan again after every change to a rule file, the
    configuration or an input document, until Ctrl-C (exit 0).

    The process stays up, so spaCy, the compiled rules and the cache are loaded once;
    after a rule edit only that rule is matched again, on the clauses where it can hit.
    A rule file with an error is reported (file:line) and the watch goes on, so the
    author can fix it.
    """
    import time

    try:
        import watchfiles
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        _fail("--watch vraagt om het pakket watchfiles: pip install watchfiles")
    from policycheck.config import find_config, load_config
    from policycheck.rules import builtin_rules_dir
    from policycheck.scan import STDIN, SUPPORTED_SUFFIXES

    if STDIN in request["paths"] or request["annotate"]:
        _fail("--watch werkt op bestanden en mappen, niet op standaardinvoer of met --annotate")
    if request["executor"] != "local":
        _fail("--watch werkt met --executor local")
    config_file = Path(request["config_path"]) if request["config_path"] else find_config()
    watched = {builtin_rules_dir(), *map(Path, request["rule_dirs"]), *map(Path, request["paths"])}
    if config_file is not None:
        watched.add(config_file)
        try:
            watched.update(map(Path, load_config(config_file).rule_folders))
        except RuleErrors:
            pass  # the scan reports it
    watched = {path.resolve() for path in watched if path.exists()}
    output = Path(request["output"]).resolve() if request["output"] else None
    interesting = (*SUPPORTED_SUFFIXES, ".yml", ".yaml")

    def relevant(_change, path: str) -> bool:
        name = Path(path)
        if output is not None and (name == output or output in name.parents):
            return False  # our own report: scanning it again would never end
        return name.suffix.lower() in interesting and not name.name.startswith(".")

    def one_pass() -> int:
        try:
            _scan(options=options, **request)
            status = EXIT_OK
        except SystemExit as done:
            if done.code == EXIT_INTERRUPTED:
                raise KeyboardInterrupt from None
            status = done.code or EXIT_OK
        sys.stdout.flush()
        return status

    try:
        one_pass()
        from policycheck.nlp import load_pipeline

        load_pipeline()  # now, so that the first edit does not wait for spaCy
        ready = False
        # yield_on_timeout: an empty set once the watcher runs, so "wacht" is only
        # said when an edit from then on is sure to be seen.
        for changes in watchfiles.watch(*watched, watch_filter=relevant, debounce=400, step=50,
                                        rust_timeout=250, yield_on_timeout=True):
            if not changes:
                if not ready:
                    _err("wacht op wijzigingen in regels, configuratie of documenten (Ctrl-C stopt)")
                    ready = True
                continue
            names = sorted({Path(path).name for _, path in changes})
            _err("gewijzigd: " + ", ".join(names[:5]) + (f" en {len(names) - 5} meer" if len(names) > 5 else ""))
            started = time.perf_counter()
            status = one_pass()
            done = "fouten gevonden (zie boven)" if status == EXIT_ERROR else "opnieuw gescand"
            _err(f"{done} in {time.perf_counter() - started:.2f} s; wacht op wijzigingen (Ctrl-C stopt)")
    except KeyboardInterrupt:
        _err("gestopt met kijken")
    sys.exit(EXIT_OK)


def _scan(paths, fmt, output, annotate, policy_type, rule_dirs, config_path, fail_on, recursive, explain, quiet,
          no_color, review_files, hide_dismissed, jobs, no_cache, executor, scheduler, options):
    from policycheck.report import BINARY_FORMATS, render
    from policycheck.report.context import RunContext
    from policycheck.report.summary import summary_line
    from policycheck.runner import Item, ScanSettings, default_jobs, run_scan
    from policycheck.scan import STDIN, DocumentResult, expand_paths

    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler hoort bij --executor dask")

    if hide_dismissed and not review_files:
        _fail("--hide-dismissed werkt alleen samen met --review BESTAND")
    review = None
    if review_files:
        from policycheck.review import ReviewFileError, load_decisions

        try:
            review = load_decisions(review_files, hide_dismissed)
        except ReviewFileError as error:
            _fail(str(error))
    report_output = None if annotate else output
    html_folder = not annotate and fmt == "html" and (
        len(paths) > 1 or any(p != STDIN and Path(p).is_dir() for p in paths)
    )
    if annotate:
        _check_annotate_usage(paths, output, fmt)
    elif fmt in BINARY_FORMATS and not output:
        _fail(f"--format {fmt} schrijft een bestand; geef de naam op met -o, bijvoorbeeld -o bevindingen.{fmt}")
    if html_folder:
        _check_html_folder(output)
    elif output:
        try:
            check_output_path(output, [] if paths == ("-",) else _input_files(paths, recursive))
        except PolicycheckError as error:
            _fail(str(error))
    ruleset = _load_rules(rule_dirs, config_path, use_cache=not no_cache)
    if not quiet:
        for notice in ruleset.notices:
            _err(notice)
    items = []
    for path, problem in expand_paths(paths, recursive):
        if path == STDIN and not problem:
            limit = options.max_bytes + 1 if options.max_bytes else -1  # enough to see the limit passed
            items.append(Item("<stdin>", data=sys.stdin.buffer.read(limit)))
        else:
            items.append(Item(path, problem=problem))
    source_bytes = None  # with --annotate: the bytes the scan read, so the copy is made of exactly those
    if annotate and not items[0].problem:
        from policycheck.extract import read_input

        try:
            source_bytes = items[0].data = read_input(items[0].path, options)
        except InputError as error:
            items[0].problem = str(error).split(": ", 1)[-1]

    done: list[DocumentResult] = []

    def report(result):
        done.append(result)
        for error in result.errors:
            _err(error, "fout: ")
        if not quiet:
            for warning in result.warnings:
                _err(f"{result.path}: {warning}", "waarschuwing: ")

    settings = ScanSettings(policy_type=policy_type, use_cache=not no_cache, options=options)
    interrupted = False
    run = None
    try:
        run = run_scan(
            items, ruleset, settings, jobs=jobs or default_jobs(), executor=executor, scheduler=scheduler,
            on_result=report, progress=not quiet and sys.stderr.isatty(),
        )
        results = run.results
    except KeyboardInterrupt:
        # Stop cleanly: keep what is done, never write a half report over an old one.
        interrupted = True
        results = done
    except PolicycheckError as error:
        _fail(str(error))
    pipeline = run.pipeline if run else _pipeline_info()
    if not quiet:
        for notice in (run.notices if run else []):
            _err(notice)
        if pipeline.fallback:
            _err("let op: " + pipeline.description)

    if annotate and results and not results[0].failed and not interrupted:
        _write_annotated(results[0], source_bytes, output, quiet)

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

    to_terminal = report_output is None and fmt == "text"
    context = RunContext(
        version=__version__,
        pipeline=pipeline,
        rule_count=len(ruleset.rules),
        rule_sources=ruleset.sources,
        rules=ruleset.rules,
        color=to_terminal and not no_color and sys.stdout.isatty(),
        width=min(shutil.get_terminal_size((100, 24)).columns, 110) - 2,
        quiet=quiet,
        explain=explain,
        review=review,
        rule_topics=_rule_topics(ruleset),
    )
    if interrupted:
        done = f"{len(results)} van {len(items)} documenten verwerkt"
        if report_output or html_folder:
            _err(f"onderbroken (Ctrl-C) na {done}; rapport niet geschreven, {output} is niet gewijzigd. "
                 f"{summary_line(results)}")
        else:
            click.echo(render(results, fmt, context), nl=False)
            _err(f"onderbroken (Ctrl-C) na {done}; het rapport hierboven is onvolledig.")
        sys.exit(EXIT_INTERRUPTED)

    if html_folder:
        _write_html_folder(results, context, output, quiet)
    elif report_output:
        try:
            write_output(report_output, render(results, fmt, context))
        except (OSError, PolicycheckError) as error:
            _fail(f"kan {report_output} niet schrijven: {error}")
        if not quiet:
            _err(f"rapport geschreven naar {report_output}: {summary_line(results)}")
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


def _pipeline_info():
    """The pipeline that runs, for the report of an interrupted run."""
    from policycheck.nlp import cheap_pipeline_info, load_pipeline

    return cheap_pipeline_info() or load_pipeline()[1]


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
    ruleset = _load_rules(rule_dirs, use_cache=not no_cache)
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
              "findings": "bevindingen per regel", "checked": "lijsten van gecontroleerde regelpatronen"}
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
@rule_options
def doctor(rule_dirs, config_path):
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
    ruleset = _load_rules(rule_dirs, config_path)
    click.echo(f"Configuratie: {ruleset.config_path or 'geen (' + 'policycheck.yaml niet gevonden)'}")
    click.echo(f"Regels: {len(ruleset.rules)} geladen")
    for folder, count in ruleset.sources:
        click.echo(f"  {count:3d} uit {folder}")
    for notice in ruleset.notices:
        click.echo(f"  let op: {notice}")


@main.group()
def rules():
    """Regels bekijken en testen."""


@rules.command("list")
@rule_options
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_list(rule_dirs, config_path, fmt):
    """Toon de geladen regels: id, soort, beleidstypen en titel."""
    import json

    ruleset = _load_rules(rule_dirs, config_path)
    if fmt == "json":
        click.echo(json.dumps([rule.summary() for rule in ruleset.rules], ensure_ascii=False, indent=2))
        return
    width = max((len(rule.id) for rule in ruleset.rules), default=10)
    for rule in sorted(ruleset.rules, key=lambda r: r.id):
        types = ",".join(rule.applies_to)
        click.echo(f"{rule.id:<{width}}  {rule.polarity:<11}  {types:<21}  {rule.title}")
    click.echo(f"{len(ruleset.rules)} regels")


@rules.command("test")
@click.argument("path", required=False, type=click.Path(exists=True), metavar="[BESTAND|MAP]")
@rule_options
def rules_test(path, rule_dirs, config_path):
    """Voer de voorbeelden van elke regel uit: teksten die moeten treffen en teksten
    die niet mogen treffen. Zonder BESTAND|MAP: alle geladen regels."""
    from policycheck.match import CompiledRules
    from policycheck.nlp import load_pipeline
    from policycheck.ruletest import run_rule_examples
    from policycheck.rules import load_rules

    if path:
        try:
            selected = load_rules([path], builtin=False).rules
        except RuleErrors as errors:
            for error in errors.errors:
                _err(str(error), "fout in regel: ")
            sys.exit(EXIT_ERROR)
    else:
        selected = _load_rules(rule_dirs, config_path).rules
    nlp, info = load_pipeline()
    compiled = CompiledRules(selected, nlp, info)
    failures = []
    examples = 0
    by_source: dict[str, list] = {}
    for rule in selected:
        by_source.setdefault(rule.source, []).append(rule)
    for source, rules_in_file in by_source.items():
        marks = ""
        for rule in rules_in_file:
            rule_failures = run_rule_examples(rule, compiled)
            count = len(rule.examples_match) + len(rule.examples_no_match)
            examples += count
            failures.extend(rule_failures)
            marks += "." * (count - len(rule_failures)) + "F" * len(rule_failures)
        click.echo(f"{source} {marks}")
    if failures:
        click.echo()
        for failure in failures:
            click.echo(click.style("MISLUKT ", fg="red") + str(failure))
    click.echo(f"{len(selected)} regels, {examples} voorbeelden: {examples - len(failures)} goed, {len(failures)} mislukt")
    sys.exit(EXIT_FINDINGS if failures else EXIT_OK)


@rules.command("lint")
@click.argument("path", required=False, type=click.Path(exists=True), metavar="[BESTAND|MAP]")
@rule_options
def rules_lint(path, rule_dirs, config_path):
    """Controleer regels met bestand:regel: ongeldige velden (met 'bedoelde u'),
    dubbele id's, regexen die niet compileren of catastrofaal kunnen terugzoeken,
    token-patronen op eigenschappen die geen pijplijn zet, te weinig voorbeelden,
    lege documentatie en bronnen zonder webadres. Zonder BESTAND|MAP: alle geladen
    regels. Exitstatus 1 bij bevindingen, 2 bij ongeldige regels."""
    from policycheck.lint import lint_rules
    from policycheck.rules import load_rules

    if path:
        try:
            ruleset = load_rules([path], builtin=False)
        except RuleErrors as errors:
            for error in errors.errors:
                click.echo(str(error))
            click.echo(f"{len(errors.errors)} fout(en): de regels laden niet")
            sys.exit(EXIT_ERROR)
    else:
        ruleset = _load_rules(rule_dirs, config_path)
    issues = [str(issue) for issue in lint_rules(ruleset.rules)]
    # A rule id loaded twice: the later one replaces the earlier (PC-L006).
    issues += [f"{notice} (PC-L006 dubbele regel-id)" for notice in ruleset.notices if "vervangt" in notice]
    for issue in issues:
        click.echo(issue)
    click.echo(f"{len(ruleset.rules)} regels gecontroleerd: {len(issues)} bevinding(en)")
    sys.exit(EXIT_FINDINGS if issues else EXIT_OK)


@rules.command("show")
@click.argument("rule_id", metavar="REGEL-ID")
@rule_options
def rules_show(rule_id, rule_dirs, config_path):
    """Toon de documentatie van één regel."""
    from policycheck.ruledocs import rule_markdown

    ruleset = _load_rules(rule_dirs, config_path)
    rule = ruleset.by_id(rule_id)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, [r.id for r in ruleset.rules], n=3)
        _fail(f"onbekende regel '{rule_id}'" + (f"; bedoelde u {', '.join(close)}?" if close else ""))
    click.echo(rule_markdown(rule))


@rules.command("docs")
@click.option("-o", "--output", "output_dir", required=True, type=click.Path(file_okay=False), metavar="MAP",
              help="Map voor de documentatie (één pagina per regel en index.md).")
@rule_options
def rules_docs(output_dir, rule_dirs, config_path):
    """Schrijf documentatie per regel (Markdown, in het Nederlands) en een index.
    Weigert regels met een lege sectie of een bron zonder webadres."""
    from policycheck.ruledocs import doc_problems, index_markdown, rule_markdown

    ruleset = _load_rules(rule_dirs, config_path)
    problems = [problem for rule in ruleset.rules for problem in doc_problems(rule)]
    if problems:
        for problem in problems:
            _err(problem, "fout: ")
        sys.exit(EXIT_ERROR)
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for rule in ruleset.rules:
        write_output(str(folder / f"{rule.id}.md"), rule_markdown(rule))
    write_output(str(folder / "index.md"), index_markdown(ruleset.rules))
    click.echo(f"{len(ruleset.rules)} regelpagina's en index.md geschreven naar {folder}")


@main.command()
@click.argument("path", metavar="BESTAND|-")
@click.option("--rule", "rule_id", required=True, metavar="REGEL-ID", help="De regel om uit te leggen.")
@click.option("--type", "policy_type", type=click.Choice(["auto", "procurement", "subsidy"]), default="auto",
              show_default=True, help="Beleidstype; 'auto' herkent het.")
@click.option("--top", default=3, show_default=True, help="Aantal dichtstbijzijnde zinnen bij een regel die niet trof.")
@rule_options
def explain(path, rule_id, policy_type, top, rule_dirs, config_path):
    """Leg uit waarom een regel wel of niet trof: per zin welke voorwaarde gold (✓)
    of niet (✗), en wat een treffer tegenhield (ontkenning, uitzondering, scope)."""
    from policycheck.explain import explain_rule
    from policycheck.extract import extract as extract_document
    from policycheck.scan import Scanner

    ruleset = _load_rules(rule_dirs, config_path)
    rule = ruleset.by_id(rule_id)
    if rule is None:
        _fail(f"onbekende regel '{rule_id}' (zie policycheck rules list)")
    try:
        document = extract_document("<stdin>", sys.stdin.buffer.read()) if path == "-" else extract_document(path)
    except InputError as error:
        _fail(str(error))
    scanner = Scanner(ruleset, policy_type)
    result = scanner.scan_document(document)
    click.echo(f"Beleidstype: {result.policy_type.label}")
    summary, explanations = explain_rule(document, result.policy_type.value, scanner.compiled, rule, top)
    click.echo(summary)
    for explanation in explanations:
        click.echo()
        status = "TREFFER" if explanation.fired else f"{explanation.score:.0%} van de voorwaarden"
        click.echo(f"[{status}] {explanation.location}")
        click.echo(f"  “{explanation.clause_text}”")
        for line in explanation.trace:
            click.echo("    " + line)
        if explanation.reason:
            click.echo(f"  Tegengehouden: {explanation.reason}")


@main.command("eval")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False), default="corpus", show_default=True,
              help="Map met documenten en gold/*.yaml.")
@click.option("--passages", "passage_files", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Gelabelde passages (JSON lines); standaard CORPUS/passages/*.jsonl en ../shared/eval/*.jsonl "
                   "als die map bestaat.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@rule_options
def evaluate(corpus_dir, passage_files, fmt, rule_dirs, config_path):
    """Meet de kwaliteit van de regels: precisie, recall en F1 per regel, per onderwerp
    en in totaal, op het corpus (gold-bestanden), op de gelabelde passages van het
    corpus en op gelabelde echte passages. Toont de gemiste vondsten en de valse
    meldingen."""
    import json

    from policycheck.evaluate import (corpus_passage_files, default_passage_files, evaluate_corpus,
                                      evaluate_passages, format_table, load_passages)
    from policycheck.scan import Scanner

    ruleset = _load_rules(rule_dirs, config_path)
    scanner = Scanner(ruleset)
    report: dict = {}
    corpus = Path(corpus_dir)
    if (corpus / "gold").is_dir():
        report["corpus"] = evaluate_corpus(corpus, scanner)
    else:
        _err(f"geen corpus met gold-bestanden in {corpus} (gebruik --corpus)")
    # Each set of passages is reported on its own: the corpus's passages were written
    # for the project (and rules were tuned on them), the shared ones are real text.
    if passage_files:
        sets = {"passages": [Path(p) for p in passage_files]}
    else:
        sets = {"corpus_passages": corpus_passage_files(corpus), "passages": default_passage_files(Path.cwd())}
    for name, files in sets.items():
        if files:
            report[name] = evaluate_passages([p for file in files for p in load_passages(file)], scanner)
    if not passage_files and "passages" not in report:
        _err("geen gelabelde echte passages gevonden (../shared/eval ontbreekt)")
    if fmt == "json":
        click.echo(json.dumps({name: ev.to_dict() for name, ev in report.items()}, ensure_ascii=False, indent=2))
        return
    if "corpus" in report:
        ev = report["corpus"]
        click.echo(f"Corpus: {ev.items} documenten")
        for line in format_table("Per onderwerp", ev.by_topic, ev.overall) + format_table("Per regel", ev.by_rule, ev.overall):
            click.echo(line)
        for label, items in (("Gemist", ev.misses), ("Vals alarm", ev.false_alarms)):
            for item in items:
                click.echo(f"  {label}: {item}")
        click.echo()
    titles = {"corpus_passages": f"Passages van het corpus ({corpus / 'passages'})",
              "passages": "Passages" if passage_files else "Echte passages"}
    for name, title in titles.items():
        if name not in report:
            continue
        ev = report[name]
        click.echo(f"{title}: {ev.items}")
        for line in format_table("Per onderwerp/soort", ev.by_topic, ev.overall):
            click.echo(line)
        for label, items in (("Gemist", ev.misses), ("Vals alarm", ev.false_alarms)):
            for item in items:
                click.echo(f"  {label}: {item}")
        click.echo()
