"""Fuzz the PDF and DOCX front-ends for a bounded time.

    python benchmarks/fuzz_extract.py --minutes 10

Hypothesis draws a seed document (the corpus, the test builders) and a list of
mutations: byte flips, inserts, deletions, duplicated ranges, truncation, and for
DOCX also mutations inside one XML part of the zip (so that the XML reader, not
just the zip checksum, sees them). `extract()` must then return a Document or
raise InputError (one clear message), and finish within the time limit. Anything
else is a crash: Hypothesis shrinks it to a small example, the script prints it,
writes the input to benchmarks/fuzz-crashes/ and goes on. Turn each crash into a
test in tests/test_fuzz_regressions.py.

Prints: inputs tried per format, how many were read / refused, crashes, and the
slowest input.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import time
import traceback
import zipfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from policycheck.errors import InputError  # noqa: E402
from policycheck.extract import ExtractOptions, extract  # noqa: E402

CRASH_DIR = REPO / "benchmarks" / "fuzz-crashes"
SLOW_SECONDS = 30.0
OPTIONS = ExtractOptions(max_seconds=SLOW_SECONDS)


def seeds() -> dict[str, bytes]:
    """Seed documents: the corpus and the builders of the tests (all written by the project)."""
    import tempfile

    import extract_fixtures as fx
    import hostile_fixtures as hx

    found: dict[str, bytes] = {}
    for path in sorted((REPO / "corpus").glob("*.pdf")) + sorted((REPO / "corpus").glob("*.docx")):
        found[path.name] = path.read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        found["policy.pdf"] = fx.build_policy_pdf(base / "a.pdf").read_bytes()
        found["policy.docx"] = fx.build_policy_docx(base / "a.docx").read_bytes()
        found["encrypted.pdf"] = fx.build_encrypted_pdf(base / "b.pdf").read_bytes()
        found["macro.docm"] = hx.build_docm(base / "c.docm").read_bytes()
    found["raw.pdf"] = hx.policy_pdf()  # uncompressed content: mutations hit the text operators
    found["columns.pdf"] = hx.raw_pdf([hx.two_column_content()])
    return found


SEEDS = seeds()
NAMES = sorted(SEEDS)


def mutate_bytes(data: bytes, ops) -> bytes:
    buf = bytearray(data)
    for op, a, b, value in ops:
        if not buf:
            break
        i = a % len(buf)
        j = min(len(buf), i + 1 + b % 512)
        if op == "flip":
            buf[i] = value
        elif op == "insert":
            buf[i:i] = bytes([value]) * (1 + b % 16)
        elif op == "delete":
            del buf[i:j]
        elif op == "duplicate":
            buf[j:j] = buf[i:j]
        elif op == "truncate":
            del buf[max(1, i):]
        elif op == "digit":  # change numbers: lengths, offsets, sizes, coordinates
            k = buf.find(b"0123456789"[value % 10:value % 10 + 1], i)
            if k != -1:
                buf[k] = ord(str(b % 10))
    return bytes(buf)


def mutate_zip_member(data: bytes, member_index: int, ops) -> bytes:
    """Apply `ops` to one part of the zip (decompressed), then re-zip it."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        infos = source.infolist()
    except zipfile.BadZipFile:
        return mutate_bytes(data, ops)
    xml = [info for info in infos if info.filename.endswith((".xml", ".rels"))]
    target = xml[member_index % len(xml)].filename if xml else None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            content = source.read(info.filename)
            if info.filename == target:
                content = mutate_bytes(content, ops)
            archive.writestr(info.filename, content)
    return out.getvalue()


operations = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "digit"]),
        st.integers(0, 2**31), st.integers(0, 2**16), st.integers(0, 255),
    ),
    min_size=1, max_size=8,
)

stats: Counter = Counter()
crashes: list[str] = []
slowest: tuple[float, str] = (0.0, "")


def check(name: str, data: bytes, description: str) -> None:
    global slowest
    fmt = name.rsplit(".", 1)[-1]
    started = time.monotonic()
    try:
        extract(name, data, OPTIONS)
        stats[f"{fmt} gelezen"] += 1
    except InputError as error:
        stats[f"{fmt} geweigerd"] += 1
        stats[f"  {error.problem.split('(')[0].strip()[:60]}"] += 1
    elapsed = time.monotonic() - started
    if elapsed > slowest[0]:
        slowest = (elapsed, description)
    assert elapsed < SLOW_SECONDS * 1.5, f"{description} took {elapsed:.1f} s"


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(NAMES), st.booleans(), st.integers(0, 100), operations)
def fuzz_one(name, inside_zip, member, ops):
    data = SEEDS[name]
    is_zip = data.startswith(b"PK")
    if is_zip and inside_zip:
        mutated = mutate_zip_member(data, member, ops)
        description = f"{name} part#{member} {ops!r}"
    else:
        mutated = mutate_bytes(data, ops)
        description = f"{name} {ops!r}"
    check(name, mutated, description)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.minutes * 60
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        try:
            fuzz_one()
        except Exception:  # Hypothesis re-raises the shrunk failure
            text = traceback.format_exc()
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            CRASH_DIR.mkdir(exist_ok=True)
            (CRASH_DIR / f"{digest}.txt").write_text(text, encoding="utf-8")
            crashes.append(digest)
            print(text, file=sys.stderr)
    total = sum(v for k, v in stats.items() if not k.startswith(" "))
    print(f"fuzz: {args.minutes:g} min, {rounds} rondes, {total} invoeren, {len(crashes)} crashes")
    for key in sorted(stats):
        print(f"  {key}: {stats[key]}")
    print(f"traagste invoer: {slowest[0]:.2f} s ({slowest[1][:160]})")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
