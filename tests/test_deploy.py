"""deploy/ and the README's proxy rules: valid syntax, and the settings they promise."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "tongxin.service"


def unit_settings() -> dict[str, dict[str, list[str]]]:
    """The unit as systemd reads it: sections of keys that may repeat."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        assert current is not None and "=" in line, f"not a setting: {raw!r}"
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


def test_the_unit_is_hardened_and_reads_its_settings_from_a_file() -> None:
    # configparser first: a syntax check that needs no systemd.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT)
    assert set(parser.sections()) == {"Unit", "Service", "Install"}
    service = unit_settings()["Service"]
    assert service["User"] == ["tongxin"] or service.get("DynamicUser") == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["ReadWritePaths"] == ["/var/lib/tongxin"]
    assert service["StateDirectory"] == ["tongxin"]
    assert service["EnvironmentFile"] == ["/etc/tongxin/tongxin.env"]
    assert service["ExecStart"] == ["/opt/tongxin/.venv/bin/tongxin serve"]
    assert service["ExecStartPre"] == ["/opt/tongxin/.venv/bin/tongxin db upgrade"]
    assert service["NoNewPrivileges"] == ["yes"] and service["CapabilityBoundingSet"] == [""]
    assert unit_settings()["Install"]["WantedBy"] == ["multi-user.target"]


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze here; the configparser test has read the unit")
    # verify also checks that ExecStart exists: point it at a stand-in.
    fake = tmp_path / "opt" / "tongxin" / ".venv" / "bin" / "tongxin"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    unit = tmp_path / "tongxin.service"
    unit.write_text(UNIT.read_text().replace("/opt/tongxin", str(tmp_path / "opt" / "tongxin")))
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown keys are only warnings


def test_compose_runs_tongxin_on_postgres_15_with_health_checks() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"tongxin", "postgres"}
    db, app = services["postgres"], services["tongxin"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(app["healthcheck"]["test"])
    assert app["environment"]["TONGXIN_DATABASE_URL"].startswith("postgresql+asyncpg://")
    context = (DEPLOY / app["build"]["context"]).resolve()
    assert (context / app["build"]["dockerfile"]).is_file()
    # Published on the host's loopback only: the reverse proxy is the way in.
    assert all(str(p).startswith("127.0.0.1:") for p in app["ports"])
    assert set(compose["volumes"]) == {"pgdata", "data"}


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", path.read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word, rest.strip()))
    return found


KNOWN = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}  # fmt: skip


def test_the_containerfile_is_sane() -> None:
    steps = instructions(DEPLOY / "Containerfile")
    words = [w for w, _ in steps]
    assert set(words) <= KNOWN, set(words) - KNOWN
    assert words[0] == "FROM" and steps[0][1].startswith("python:3.1")
    for word, args in steps:
        if word == "COPY":
            *sources, _ = args.split()
            assert all((ROOT / s).exists() for s in sources), args
    users = [a for w, a in steps if w == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(w == "HEALTHCHECK" and "/healthz" in a for w, a in steps)
    assert ("EXPOSE", "8080") in steps
    assert words[-1] == "CMD" and "tongxin serve" in steps[-1][1]


def test_the_readme_proxy_forwards_four_paths_and_never_the_local_channel() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "## 部署到服务器" in readme
    [nginx] = re.findall(r"```nginx\n(.*?)```", readme, re.S)
    locations = dict(re.findall(r"location\s+((?:= )?\S+)\s*\{([^}]*)\}", nginx))
    forwarded = {path for path, body in locations.items() if "proxy_pass" in body}
    assert forwarded == {"/wecom/", "/dingtalk/", "/console/", "= /healthz"}
    assert "return 404" in locations["/"]
    assert "/local" not in " ".join(locations)
