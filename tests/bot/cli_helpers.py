"""The `tongxin` command as a deployer runs it: a fresh process, no TONGXIN_ settings but
the ones a test gives."""

from __future__ import annotations

import os
import subprocess
import sys

TONGXIN = [sys.executable, "-m", "bot"]


def run(
    args: list[str], env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    full.update(env or {})
    return subprocess.run(
        [*TONGXIN, *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=60,
        **kw,  # type: ignore[call-overload]
    )
