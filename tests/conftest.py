"""Shared fixtures. The NLP pipeline and the built-in rules load once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Keep the tests' cache entries out of the user's cache folder."""
    import os

    previous = os.environ.get("POLICYCHECK_CACHE_DIR")
    os.environ["POLICYCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("POLICYCHECK_CACHE_DIR", None)
    else:
        os.environ["POLICYCHECK_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def builtin_rules():
    from policycheck.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def pipeline():
    from policycheck.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def compiled(builtin_rules, pipeline):
    from policycheck.match import CompiledRules

    nlp, info = pipeline
    return CompiledRules(builtin_rules.rules, nlp, info)


@pytest.fixture(scope="session")
def scanner(builtin_rules):
    from policycheck.scan import Scanner

    return Scanner(builtin_rules)


@pytest.fixture
def compile_rules(pipeline, tmp_path):
    """Compile rules written as YAML text: compile_rules('id: X ...') -> CompiledRules."""
    from policycheck.match import CompiledRules
    from policycheck.rules import load_rules

    def _compile(*texts: str):
        for index, text in enumerate(texts):
            (tmp_path / f"rule{index}.yml").write_text(text, encoding="utf-8")
        ruleset = load_rules([str(tmp_path)], builtin=False)
        nlp, info = pipeline
        return CompiledRules(ruleset.rules, nlp, info)

    return _compile


def annotate_fresh_and_cached(source, tmp_path, monkeypatch) -> tuple[bytes, bytes]:
    """`scan --annotate` of `source` twice with one cache: first read from the file,
    then from the cache. Fails when a finding could not be placed. RETURNS both copies."""
    from click.testing import CliRunner

    from policycheck.cli import main

    monkeypatch.setenv("POLICYCHECK_CACHE_DIR", str(tmp_path / "cache"))
    copies = []
    for run in ("first", "cached"):
        out = tmp_path / f"{run}{Path(source).suffix}"
        result = CliRunner().invoke(main, ["scan", str(source), "--annotate", "-o", str(out), "-j", "1"])
        assert "niet teruggevonden" not in result.stderr, result.stderr
        copies.append(out.read_bytes())
    return copies[0], copies[1]
