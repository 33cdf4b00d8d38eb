"""The Dutch spaCy pipeline: nl_core_news_sm when installed, else an offline fallback.

Every token gets a *match key* in `token.norm_`: its lemma (or lower-case form),
diacritics folded, Dutch-stemmed and with doubled vowels collapsed. Rule phrases
are processed by the same pipeline, so `onderneming`/`ondernemingen`,
`sociaal`/`sociale` and `verstrekt`/`verstrekken` share a key even where the
fallback's lemma tables have gaps.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MODEL_NAME = "nl_core_news_sm"
INSTALL_MODEL = f"python -m spacy download {MODEL_NAME}"
# Components of nl_core_news_sm the rules never use; leaving them out saves time.
UNUSED_MODEL_COMPONENTS = ["ner"]


@dataclass(frozen=True)
class PipelineInfo:
    name: str  # "nl_core_news_sm" or "fallback"
    version: str
    description: str  # one Dutch line for the user
    fallback: bool
    components: tuple[str, ...]
    sets_pos: bool
    sets_morph: bool
    sets_dep: bool

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "fallback": self.fallback,
            "components": list(self.components),
        }


_DOUBLE_VOWEL = re.compile(r"([aeou])\1")


@lru_cache(maxsize=200_000)
def match_key(word: str) -> str:
    """The inflection-insensitive key of one (lemmatised) word."""
    folded = fold_diacritics(word.lower())
    if not folded.isalpha() or len(folded) <= 3:
        return folded  # short words ('een', 'en') stay apart
    # Collapse doubled vowels: the stemmer leaves 'sociaal' but turns 'sociale' into 'social'.
    return _DOUBLE_VOWEL.sub(r"\1", _stemmer().stemWord(folded))


def fold_diacritics(text: str) -> str:
    """'coöperatie' -> 'cooperatie', 'één' -> 'een'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def _set_match_keys(doc):
    for token in doc:
        lemma = token.lemma_ or token.text
        token.norm_ = match_key(lemma)
    return doc


@lru_cache(maxsize=1)
def _dutch_lemma_table() -> dict:
    """spacy-lookups-data's Dutch lemma lookup table as a plain dict (lower-case keys).

    spaCy's own lookup lemmatizer hashes all 213,000 entries into a `Lookups`
    table at start-up (about 0.4 s); a dict read straight from the package's
    gzipped JSON costs a quarter of that and gives the same lemmas.
    """
    import gzip
    import json
    from importlib import resources

    data = resources.files("spacy_lookups_data").joinpath("data", "nl_lemma_lookup.json.gz")
    with data.open("rb") as handle:
        return json.loads(gzip.decompress(handle.read()))


def _lookup_lemmas(doc):
    # What spaCy's Dutch lookup lemmatizer does: the lower-cased text looked up in the table.
    table = _dutch_lemma_table()
    for token in doc:
        lower = token.lower_
        token.lemma_ = table.get(lower, lower)
    return doc


def model_version() -> str | None:
    """The installed nl_core_news_sm version, or None. Does not import spaCy."""
    from importlib import metadata

    for dist in (MODEL_NAME, MODEL_NAME.replace("_", "-")):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return None


FALLBACK_COMPONENTS = ("policycheck_lemma_lookup", "policycheck_match_keys")


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


@lru_cache(maxsize=1)
def fallback_info() -> PipelineInfo:
    """The fallback pipeline's PipelineInfo, without importing spaCy."""
    version = _lookups_version()
    return PipelineInfo(
        name="fallback",
        version=version,
        description=(
            f"offline terugvaloptie: spacy.blank('nl') met lemmatabel uit "
            f"spacy-lookups-data {version} (spaCy {_package_version('spacy')}); "
            f"installeer het Nederlandse model met: {INSTALL_MODEL}"
        ),
        fallback=True,
        components=FALLBACK_COMPONENTS,
        sets_pos=False,
        sets_morph=False,
        sets_dep=False,
    )


def cheap_pipeline_info() -> PipelineInfo | None:
    """PipelineInfo without loading anything when the fallback will run, else None."""
    return fallback_info() if model_version() is None else None


@lru_cache(maxsize=2)
def load_pipeline(prefer_model: bool = True):
    """Return (nlp, PipelineInfo). Loaded once per process."""
    import gc

    loaded = _load_pipeline(prefer_model)
    # The pipeline (spaCy, the lemma table) lives as long as the process: keep the
    # garbage collector from walking it again at every collection.
    gc.freeze()
    return loaded


def _load_pipeline(prefer_model: bool):
    import spacy
    from spacy.language import Language

    if not Language.has_factory("policycheck_match_keys"):
        Language.component("policycheck_match_keys")(_set_match_keys)
    if not Language.has_factory("policycheck_lemma_lookup"):
        Language.component("policycheck_lemma_lookup")(_lookup_lemmas)

    nlp = None
    if prefer_model and model_version() is not None:
        try:
            nlp = spacy.load(MODEL_NAME, exclude=UNUSED_MODEL_COMPONENTS)
        except (OSError, ImportError, ValueError):
            nlp = None
    if nlp is not None:
        version = nlp.meta.get("version", model_version() or "?")
        description = f"{MODEL_NAME} {version} (spaCy {spacy.__version__})"
        fallback = False
        name = MODEL_NAME
    else:
        nlp = _dutch_with_hyphen_infix()()  # spacy.blank("nl"), tokenizer built once with our infixes
        nlp.tokenizer = _exceptions_as_needed(nlp)
        _dutch_lemma_table()
        nlp.add_pipe("policycheck_lemma_lookup")
        nlp.add_pipe("policycheck_match_keys", last=True)
        assert tuple(nlp.pipe_names) == FALLBACK_COMPONENTS
        return nlp, fallback_info()
    _split_hyphenated_compounds(nlp)
    nlp.add_pipe("policycheck_match_keys", last=True)
    components = tuple(nlp.pipe_names)
    info = PipelineInfo(
        name=name,
        version=version,
        description=description,
        fallback=fallback,
        components=components,
        sets_pos=not fallback and any(c in components for c in ("tagger", "morphologizer")),
        sets_morph=not fallback and "morphologizer" in components,
        sets_dep=not fallback and "parser" in components,
    )
    return nlp, info


def _split_hyphenated_compounds(nlp) -> None:
    """Split 'SW-bedrijf' and 'social return-verplichting' at the hyphen.

    spaCy's Dutch tokenizer keeps hyphenated compounds whole, so the phrase 'social
    return' would miss 'social return-verplichting' and 'certificaat' would miss
    'ISO 9001-certificaat'. Rule phrases go through the same tokenizer, so a phrase
    written with a hyphen still matches. A trailing hyphen ('inkoop- en ...') is kept.
    """
    from spacy.util import compile_infix_regex

    infixes = list(nlp.Defaults.infixes or []) + [HYPHEN_INFIX]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


HYPHEN_INFIX = r"(?<=[0-9A-Za-zÀ-ÖØ-öø-ÿ])[-‐‑–](?=[0-9A-Za-zÀ-ÖØ-öø-ÿ])"


@lru_cache(maxsize=1)
def _dutch_with_hyphen_infix():
    """spaCy's Dutch language class with the hyphen infix of _split_hyphenated_compounds.

    Setting the infixes on a made tokenizer reloads its ~9,000 special cases (0.15 s);
    a subclass gets them right the first time.
    """
    from spacy.lang.nl import Dutch

    class PolicyDutchDefaults(Dutch.Defaults):
        infixes = list(Dutch.Defaults.infixes or []) + [HYPHEN_INFIX]
        tokenizer_exceptions: dict = {}  # added as texts need them: _exceptions_as_needed

    class PolicyDutch(Dutch):
        Defaults = PolicyDutchDefaults

    return PolicyDutch


def _exceptions_as_needed(nlp):
    """A tokenizer like `nlp.tokenizer`, with the Dutch special cases added as needed."""
    from spacy.lang.nl import Dutch

    made = nlp.tokenizer
    return _tokenizer_class()(
        nlp.vocab, Dutch.Defaults.tokenizer_exceptions, prefix_search=made.prefix_search,
        suffix_search=made.suffix_search, infix_finditer=made.infix_finditer,
        token_match=made.token_match, url_match=made.url_match,
    )


@lru_cache(maxsize=1)
def _tokenizer_class():
    import ahocorasick
    from spacy.tokenizer import Tokenizer

    class ExceptionsAsNeeded(Tokenizer):
        """spaCy's tokenizer, each special case added before the first text it could change.

        The Dutch special cases are some 4,700 abbreviations ('art.', 'o.a.', 'bijv.');
        loading them makes about 8,600 lexemes, a quarter of a second at every start.
        A special case can only change the tokens of a text that contains its string
        once the whitespace is taken out: spaCy applies it to a whole
        whitespace-delimited span, to what is left while splitting off affixes, or to
        a run of tokens whose texts join up to it. So adding each case before the
        first such text (found with one Aho-Corasick pass) gives exactly the tokens
        of the fully loaded tokenizer; tests/test_match.py compares the two.
        """

        def __init__(self, vocab, exceptions: dict, **affixes):
            super().__init__(vocab, rules=None, **affixes)
            self._pending = {}
            self._finder = ahocorasick.Automaton()
            for string, substrings in exceptions.items():
                if any(ch.isspace() for ch in string):
                    self.add_special_case(string, substrings)  # a handful ('\n', '\xa0'): always
                else:
                    self._pending[string] = substrings
                    self._finder.add_word(string, string)
            self._finder.make_automaton()

        def add_needed(self, text: str) -> None:
            if not self._pending:
                return
            for _, string in self._finder.iter("".join(text.split())):
                substrings = self._pending.pop(string, None)
                if substrings is not None:
                    self.add_special_case(string, substrings)

        def __call__(self, text):
            self.add_needed(text)
            return super().__call__(text)

        def explain(self, text):
            self.add_needed(text)
            return super().explain(text)

    return ExceptionsAsNeeded


def _lookups_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("spacy-lookups-data")
    except metadata.PackageNotFoundError:
        return "?"
