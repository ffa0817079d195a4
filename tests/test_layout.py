"""The layout holds: features are packages that import the core, never each other."""

from __future__ import annotations

import ast
import re
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


CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Outside the texts modules, Chinese is what the code matches, never what it says.
MATCHING_CALLS = {"command", "sub", "phrase", "compile", "match", "fullmatch", "search"}
MATCHING_CALLS |= {"finditer", "findall", "split", "replace", "strip", "rstrip", "lstrip"}
MATCHING_CALLS |= {"partition", "startswith", "endswith"}
REGEX_SIGNS = set("()[]|?*+\\")
# Matched words no rule above can tell from a sentence: the words before a
# meeting's name (请假 下次支委会), a glued deadline word, 无意见 as typed and
# stored, the reply a tap in a group sends, the holiday a template is tried with.
MATCHED = {
    "handlers/checkin/ahead.py": {"下次", "下一次", "下回", "最近的", "最近"},
    "handlers/polls/create.py": {"截止", "截止到", "截至", "投票 #"},
    "handlers/feedback/steps.py": {"无意见"},
    # Aliases of the quota command, kept in a tuple the alias list spreads.
    "handlers/meetings/quotas.py": {"每季度", "每半年", "每年"},
    "handlers/reminders/lianzheng.py": {"国庆节"},
    # The numerals a choice typed in words is read with (投一).
    "handlers/polls/vote.py": {"一二三四五六七八九十"},
}
# The core modules the texts audit went through (issue 14).
CORE_AUDITED = ("bot/backup.py", "bot/roster_file.py")


def said_outside_texts(path: Path) -> list[str]:
    """Chinese string literals that are not a docstring, a dict key, a comparison,
    a command word, a regex, a string method's argument or a button's reply."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    matched: set[int] = set()
    for node in ast.walk(tree):
        parts: list[ast.AST] = []
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                parts = [first.value]
        elif isinstance(node, ast.Dict):
            parts = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Compare):
            parts = [node.left, *node.comparators]
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in MATCHING_CALLS:
                parts = [*node.args]
            parts += [k.value for k in node.keywords if k.arg in ("aliases", "reply")]
        matched |= {id(sub) for part in parts for sub in ast.walk(part)}
    allowed = MATCHED.get(str(path.relative_to(ROOT)), set())
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CHINESE.search(node.value)
        and id(node) not in matched
        and not REGEX_SIGNS & set(node.value)
        and node.value not in allowed
    ]


def test_sentences_live_in_texts_modules() -> None:
    """Every sentence and label a person reads is in a texts module (a feature's
    texts.py, or the core's), so wording changes in one place."""
    paths = [p for p in HANDLERS.rglob("*.py") if p.name != "texts.py"]
    paths += [ROOT / name for name in CORE_AUDITED]
    found = [line for path in sorted(paths) for line in said_outside_texts(path)]
    assert found == []


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
