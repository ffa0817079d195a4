"""Each screenshot in artifacts/screenshots/ comes from one test: a name used twice
would leave whichever test ran last, and the other's picture would be lost."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

TAKEN = re.compile(r"""\bscreenshot\(\s*\w+,\s*["']([^"']+)["']""")


def test_every_screenshot_name_is_used_once() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted(Path(__file__).parent.rglob("test_*.py")):
        for name in TAKEN.findall(path.read_text(encoding="utf-8")):
            where[name].append(path.name)
    assert len(where) > 10  # the pattern still finds the calls
    assert {n: files for n, files in where.items() if len(files) > 1} == {}
