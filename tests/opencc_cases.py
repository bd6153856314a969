"""OpenCC's own published conversion test cases (tests/data/opencc_testcases.json; source noted
beside it), shared by the unit test and the conversion benchmark."""

from __future__ import annotations

import json
import re
from pathlib import Path

CASES_FILE = Path(__file__).resolve().parent / "data" / "opencc_testcases.json"
CONFIGS = ("s2t", "s2tw", "s2twp", "s2hk", "t2s")


def load_cases() -> list[dict]:
    text = CASES_FILE.read_text(encoding="utf-8")
    text = re.sub(r",(\s*[}\]])", r"\1", text)  # the file has trailing commas
    data = json.loads(text)
    return data["cases"] if isinstance(data, dict) else data


def cases_for(config: str) -> list[tuple[str, str, str]]:
    return [(case["id"], case["input"], case["expected"][config])
            for case in load_cases() if config in case.get("expected", {})]
