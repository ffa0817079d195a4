"""The layout holds: features are packages that import the core, never each other."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ROOT / "handlers"
# The wiring that knows the feature list: the app's defaults and the CLI.
WIRING = {ROOT / "bot" / "app.py", ROOT / "bot" / "cli.py"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_handlers_holds_feature_packages_only() -> None:
    loose = [p.name for p in HANDLERS.iterdir() if p.is_file() and p.name != "__init__.py"]
    assert loose == []
    packages = [p for p in HANDLERS.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert packages and all((p / "__init__.py").is_file() for p in packages)
    assert all((p / "texts.py").is_file() for p in packages), "each feature keeps its texts"


def test_no_feature_imports_another() -> None:
    crossings = []
    for package in (p for p in HANDLERS.iterdir() if (p / "__init__.py").is_file()):
        own = f"handlers.{package.name}"
        for path in package.rglob("*.py"):
            for name in imported(path):
                if name == "handlers" or (
                    name.startswith("handlers.") and not name.startswith((own + ".", own))
                ):
                    crossings.append(f"{path.relative_to(ROOT)} imports {name}")
    assert crossings == []


def test_the_core_does_not_import_the_features() -> None:
    reaching = []
    for top in ("bot", "schedules", "storage"):
        for path in (ROOT / top).rglob("*.py"):
            if path in WIRING:
                continue
            if any(n == "handlers" or n.startswith("handlers.") for n in imported(path)):
                reaching.append(str(path.relative_to(ROOT)))
    assert reaching == []


def test_every_workbook_goes_through_one_door() -> None:
    """Workbooks are written through bot/console/xlsx.py, which keeps text from becoming
    formulas; elsewhere openpyxl may only read (`load_workbook`)."""
    direct = []
    for top in ("bot", "handlers", "schedules", "storage"):
        for path in (ROOT / top).rglob("*.py"):
            names = {n for n in imported(path) if n.split(".")[0] == "openpyxl"}
            if path != ROOT / "bot" / "console" / "xlsx.py" and names - READS_XLSX:
                direct.append(str(path.relative_to(ROOT)))
    assert direct == []


READS_XLSX = {
    "openpyxl",
    "openpyxl.load_workbook",
    "openpyxl.utils.exceptions",
    "openpyxl.utils.exceptions.InvalidFileException",
}


def test_test_modules_share_through_helpers_only() -> None:
    """What tests share lives in helper modules and conftest.py: a test module imported by
    another runs its tests' imports twice and hides what depends on what."""
    borrowing = []
    for path in (ROOT / "tests").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                ours = node.level > 0 or (node.module or "").startswith("tests.")
                modules = [node.module or ""] if ours else []
                if node.level:  # `from . import test_x`
                    modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names if alias.name.startswith("tests.")]
            else:
                continue
            if any(part.startswith("test_") for m in modules for part in m.split(".")):
                borrowing.append(f"{path.relative_to(ROOT)} imports {', '.join(modules)}")
    assert borrowing == []


def test_the_chat_harness_is_never_subclassed() -> None:
    """Fakes and settings go in as `make_chat(...)` arguments or `chat` marker flags."""
    subclasses = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for path in (ROOT / "tests").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).split(".")[-1] == "ChatHarness" for base in node.bases)
    ]
    assert subclasses == []
