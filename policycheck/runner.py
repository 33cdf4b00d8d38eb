"""Scan many documents: in this process, in a pool of processes (`--jobs`) or on a
Dask cluster (`--executor dask`).

The scan of one document is a pure function of its bytes, the rules and the
settings (`scan_one`), so it can run anywhere; each worker loads the NLP pipeline
and compiles the rules once (`_scanner`) and reuses them for every document it gets.
Results always come back in input order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Optional

from policycheck.scan import DocumentResult

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class ScanSettings:
    """What, besides the document, decides a scan's result."""

    policy_type: str = "auto"
    use_cache: bool = True
    cache_dir: Optional[str] = None
    options: Optional[object] = None  # extract.options.ExtractOptions: password, limits, OCR


@dataclass
class Item:
    """One input: a path (with its bytes for standard input), or a problem found before reading."""

    path: str
    data: Optional[bytes] = None
    problem: Optional[str] = None


@dataclass
class RunOutput:
    results: list[DocumentResult]
    pipeline: object  # nlp.PipelineInfo
    notices: list[str]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# -- one document, anywhere -------------------------------------------------------

_SCANNERS: dict = {}


def _scanner(settings: ScanSettings, ruleset, rules_key: str):
    """The Scanner for these settings and rules in this process, made once."""
    key = (settings, rules_key)
    scanner = _SCANNERS.get(key)
    if scanner is None:
        from policycheck.cache import Cache
        from policycheck.scan import Scanner

        cache = Cache(settings.cache_dir, enabled=settings.use_cache)
        _SCANNERS.clear()  # one rule set at a time (scan --watch makes a new one per edit)
        scanner = _SCANNERS[key] = Scanner(ruleset, settings.policy_type, settings.options, cache)
    return scanner


def rules_key(ruleset) -> str:
    from policycheck.match import rule_hash

    return ",".join(rule_hash(rule) for rule in ruleset.rules)


def scan_one(settings: ScanSettings, ruleset, key: str, path: str, data: Optional[bytes] = None):
    """Scan one document. RETURNS (DocumentResult, PipelineInfo, notices)."""
    scanner = _scanner(settings, ruleset, key)
    try:
        result = scanner.scan_path(path, data)
    except Exception as error:  # a bug must not cost the other documents
        result = DocumentResult(path=path, errors=[f"{path}: interne fout bij het scannen ({type(error).__name__}: {error})"])
    return result, scanner.pipeline, scanner.notices


def _extract_only(settings: ScanSettings, path: str, data: Optional[bytes]):
    """Extraction plus the steps before NLP that need no spaCy: clauses and policy type.
    RETURNS (document, prepared, error)."""
    from policycheck.cache import Cache
    from policycheck.classify import detect_policy_type
    from policycheck.errors import InputError
    from policycheck.match import clauses_of
    from policycheck.scan import extract_cached

    try:
        document = extract_cached(path, data, Cache(settings.cache_dir, enabled=settings.use_cache), settings.options)
    except InputError as error:
        return None, None, str(error)
    prepared = {"clauses": clauses_of(document), "policy_type": detect_policy_type(document)}
    return document, prepared, None


# -- many documents ----------------------------------------------------------------


def run_scan(
    items: list[Item],
    ruleset,
    settings: ScanSettings,
    jobs: int = 1,
    executor: str = "local",
    scheduler: Optional[str] = None,
    on_result: Optional[Callable[[DocumentResult], None]] = None,
    progress: bool = False,
) -> RunOutput:
    """Scan every item; results in input order.

    on_result: called in this process for every finished document (to print errors early).
    progress: show a progress bar on stderr (the caller decides whether it is a terminal).
    """
    if settings.use_cache and settings.cache_dir is None:
        from dataclasses import replace

        from policycheck.cache import default_folder

        settings = replace(settings, cache_dir=str(default_folder()))  # fixed now, for every worker
    key = rules_key(ruleset)
    results: list[Optional[DocumentResult]] = [None] * len(items)
    todo = []
    for index, item in enumerate(items):
        if item.problem:
            results[index] = DocumentResult(path=item.path, errors=[f"{item.path}: {item.problem}"])
            if on_result:
                on_result(results[index])
        else:
            todo.append(index)
    pipeline = None
    notices: list[str] = []
    bar = _Progress(len(todo), progress)

    def finished(index: int, output) -> None:
        nonlocal pipeline
        result, info, found = output
        results[index] = result
        pipeline = pipeline or info
        notices.extend(n for n in found if n not in notices)
        bar.advance()
        if on_result:
            on_result(result)

    if executor == "dask":
        _run_dask(items, todo, ruleset, settings, key, scheduler, jobs, finished)
    else:
        # A document already in the cache takes a few milliseconds here, and longer to
        # send to a worker and back; the pool is for the ones that must be read.
        here, there = _split_cached(items, todo, settings) if jobs > 1 else (todo, [])
        if len(there) > 1:
            _run_pool(items, there, ruleset, settings, key, jobs, finished, bar, here)
        elif len(there) == 1 and not here:
            _run_overlapped(items[there[0]], there[0], ruleset, settings, key, finished)
        else:
            for index in here + there:
                finished(index, scan_one(settings, ruleset, key, items[index].path, items[index].data))
    bar.close()
    if pipeline is None:
        from policycheck.nlp import load_pipeline

        pipeline = load_pipeline()[1]
    return RunOutput([r for r in results if r is not None], pipeline, notices)


def _pool_context():
    import multiprocessing

    # fork: workers start in milliseconds and inherit the loaded rules; elsewhere spawn.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _split_cached(items, todo, settings) -> tuple[list[int], list[int]]:
    """(documents whose extraction and language analysis are in the cache, the others),
    as indexes into items. A document with only its extraction cached (after an update
    of the pipeline, say) still needs the NLP pipeline on all its text: the pool's work."""
    if not settings.use_cache or (settings.options is not None and settings.options.ocr):
        return [], list(todo)
    import hashlib

    from policycheck.cache import Cache, extract_key, nlp_key
    from policycheck.errors import InputError
    from policycheck.extract import read_input
    from policycheck.nlp import cheap_pipeline_info

    cache = Cache(settings.cache_dir)
    # Known without loading spaCy only for the fallback; with the model, the extraction decides.
    pipeline = cheap_pipeline_info()
    here, there = [], []
    for index in todo:
        item = items[index]
        try:
            data = item.data if item.data is not None else read_input(item.path, settings.options)
        except InputError:
            there.append(index)  # reported by the scan itself
            continue
        sha256 = hashlib.sha256(data).hexdigest()
        if cache.has("extract", extract_key(sha256)) and (pipeline is None or cache.has("nlp", nlp_key(sha256, pipeline))):
            here.append(index)  # read again when scanned: a big folder is not held in memory
        else:
            there.append(index)
    return here, there


def _run_pool(items, todo, ruleset, settings, key, jobs, finished, bar, here=()) -> None:
    """Scan `todo` in a pool of processes; meanwhile this process scans `here`."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=_pool_context())
    try:
        futures = {
            pool.submit(scan_one, settings, ruleset, key, items[i].path, items[i].data): i for i in todo
        }
        bar.start()
        for index in here:
            finished(index, scan_one(settings, ruleset, key, items[index].path, items[index].data))
        for future in as_completed(futures):
            index = futures[future]
            try:
                output = future.result()
            except BrokenProcessPool:
                path = items[index].path
                output = (DocumentResult(path=path, errors=[f"{path}: het scanproces is onverwacht gestopt"]), None, [])
            finished(index, output)
    except KeyboardInterrupt:
        # Ctrl-C: drop what has not started; the caller reports what was done.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _run_overlapped(item, index, ruleset, settings, key, finished) -> None:
    """One document and spare cores: a worker extracts it while this process loads
    the NLP pipeline, so the two largest start-up costs overlap."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=_pool_context()) as pool:
        future = pool.submit(_extract_only, settings, item.path, item.data)
        scanner = _scanner(settings, ruleset, key)
        try:
            document, prepared, error = future.result()
        except Exception:  # the worker died: do it here
            return finished(index, scan_one(settings, ruleset, key, item.path, item.data))
    if error is not None:
        result = DocumentResult(path=item.path, errors=[error])
    else:
        result = scanner.scan_document(document, DocumentResult(path=item.path), prepared)
    finished(index, (result, scanner.pipeline, scanner.notices))


def _run_dask(items, todo, ruleset, settings, key, scheduler, jobs, finished) -> None:
    """Send each document's bytes to a Dask cluster, so workers need no shared disk."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        from policycheck.errors import PolicycheckError

        raise PolicycheckError(
            "--executor dask vraagt om Dask: installeer het met: pip install 'policycheck[dask]'"
        ) from None
    from policycheck.extract import read_input
    from policycheck.errors import InputError

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        remote_rules = client.scatter(ruleset, broadcast=True)
        futures = {}
        for index in todo:
            item = items[index]
            try:
                data = item.data if item.data is not None else read_input(item.path)
            except InputError as error:
                finished(index, (DocumentResult(path=item.path, errors=[str(error)]), None, []))
                continue
            future = client.submit(scan_one, settings, remote_rules, key, item.path, data, pure=False)
            futures[future] = index
        for future in as_completed(list(futures)):
            index = futures[future]
            try:
                output = future.result()
            except Exception as error:
                path = items[index].path
                output = (DocumentResult(path=path, errors=[f"{path}: fout op het Dask-cluster ({error})"]), None, [])
            finished(index, output)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Progress:
    """A tqdm bar on stderr for multi-document scans; silent when not wanted."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and total > 1
        self.bar = None

    def start(self) -> None:
        if self.enabled and self.bar is None:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread (the pool forks)
            self.bar = tqdm(total=self.total, unit="doc", desc="scannen", leave=False, dynamic_ncols=True)

    def advance(self) -> None:
        self.start()
        if self.bar is not None:
            self.bar.update(1)

    def write(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
