"""Conversion and glossary speed on a 10,000-character page, and OpenCC test-case pass rates.

    python benchmarks/bench_text.py [--reimplemented DIR]

Prints, per script, the time to convert a 10,000-character page (median of 30, first call with
the converter already built) and the throughput over 1 M characters; the time to mark glossary
terms on the same page (the 41 seed entries); and the pass rate of OpenCC's published test cases
per configuration. ``--reimplemented DIR``: a folder holding the ``opencc`` package of
opencc-python-reimplemented (e.g. unpacked from its wheel: ``pip download --no-deps
opencc-python-reimplemented`` then unzip), measured in a subprocess because both packages use
the import name ``opencc``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from leshan_reader.glossary import Entry, GlossaryMatcher, extract_entries  # noqa: E402
from leshan_reader.ingest.decode import decode_bytes  # noqa: E402
from leshan_reader.ingest.reflow import paragraphs_text, reflow  # noqa: E402
from tests.opencc_cases import CONFIGS, cases_for  # noqa: E402

SCRIPT_CONFIGS = {"hant": "s2t", "tw": "s2tw", "twp": "s2twp", "hk": "s2hk"}

# Run under the other package: pass counts and throughput, as JSON on stdout.
_PROBE = r"""
import json, sys, time, opencc
cases, page = json.load(sys.stdin)
out = {"passed": {}, "seconds_per_mchar": {}}
for config, items in cases.items():
    converter = opencc.OpenCC(config)
    out["passed"][config] = sum(converter.convert(text) == expected for text, expected in items)
for config in ("s2t", "s2tw", "s2twp", "s2hk"):
    converter = opencc.OpenCC(config)
    converter.convert(page)
    start = time.perf_counter()
    for _ in range(3):
        converter.convert(page)
    out["seconds_per_mchar"][config] = (time.perf_counter() - start) / (3 * len(page)) * 1e6
print(json.dumps(out))
"""


def seed_page_text(length: int = 10_000) -> str:
    """Reflowed seed text, repeated to ``length`` characters: a dense page, with glossary terms."""
    texts = [paragraphs_text(reflow(decode_bytes(p.read_bytes()).text)) for p in sorted((ROOT / "seeds").glob("*.txt"), reverse=True)]  # feature and report first
    joined = "\n\n".join(texts)
    return (joined * (length // len(joined) + 1))[:length]


def median_ms(fn, runs: int = 30) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reimplemented", type=Path, help="folder with opencc-python-reimplemented's package")
    args = parser.parse_args()
    from leshan_reader.conversion import convert, opencc_version

    page = seed_page_text()
    print(f"machine: {os.cpu_count()} cores; official opencc {opencc_version()}; page {len(page):,} characters\n")

    print("conversion of one page (official opencc):")
    for script, config in SCRIPT_CONFIGS.items():
        convert(page[:10], config)  # build the converter first
        ms = median_ms(lambda: convert(page, config))
        print(f"  {script:5} {config:6} {ms:7.2f} ms/page  {len(page) / ms / 1000:6.2f} M chars/s")

    report = (ROOT / "seeds" / "003_134116d0d86b0779.txt").read_bytes()
    drafts = extract_entries(reflow(decode_bytes(report).text))
    matcher = GlossaryMatcher([Entry(i, d.term, tuple(d.aliases)) for i, d in enumerate(drafts)])
    found = matcher.find(page)
    print(f"\nglossary marking ({len(drafts)} entries): {median_ms(lambda: matcher.find(page)):.2f} ms/page, "
          f"{len(found)} terms marked")
    build_ms = median_ms(lambda: GlossaryMatcher([Entry(i, d.term, tuple(d.aliases)) for i, d in enumerate(drafts)]), 10)
    print(f"glossary matcher build: {build_ms:.2f} ms")

    cases = {config: [(text, expected) for _, text, expected in cases_for(config)] for config in CONFIGS}
    official = {config: sum(convert(t, config) == e for t, e in items) for config, items in cases.items()}
    other = None
    if args.reimplemented:
        env = {**os.environ, "PYTHONPATH": str(args.reimplemented)}
        result = subprocess.run([sys.executable, "-c", _PROBE], input=json.dumps([cases, page]),
                                capture_output=True, text=True, env=env, cwd="/", check=True)
        other = json.loads(result.stdout)
    print("\nOpenCC published test cases passed:")
    print(f"  {'config':7} {'cases':>5} {'opencc (official)':>18} {'reimplemented':>14}")
    for config, items in cases.items():
        theirs = f"{other['passed'][config]}" if other else "-"
        print(f"  {config:7} {len(items):5} {official[config]:18} {theirs:>14}")
    if other:
        print("\nopencc-python-reimplemented throughput:")
        for config, seconds in other["seconds_per_mchar"].items():
            print(f"  {config:6} {1 / seconds:6.2f} M chars/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
