"""The house rules of README's "Architecture" section, read from the source
with ``ast``: each test fails when a change breaks one of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "portal"
SOURCES = sorted(p for p in PORTAL.rglob("*.py") if "migrations" not in p.relative_to(PORTAL).parts)
WEB = PORTAL / "web"
BLUEPRINTS = sorted(p.name for p in WEB.iterdir() if p.is_dir() and (p / "__init__.py").exists())
# What a domain module must not reach for: the request, the app and their globals.
FLASK_GLOBALS = {"current_app", "request", "g", "session", "has_app_context", "has_request_context", "url_for", "abort", "flash"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(path: Path, top_level_only: bool = False) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, line) for every import in ``path``."""
    found = []
    nodes = tree(path).body if top_level_only else ast.walk(tree(path))
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
    return found


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line}"


def blueprint_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["portal", "web"] and len(parts) > 2 and parts[2] in BLUEPRINTS:
        return parts[2]
    return None


def test_the_layout_test_knows_the_blueprints():
    assert {"agency", "api", "apply", "cases", "counter", "open311", "public"} <= set(BLUEPRINTS)


def test_no_blueprint_imports_another_blueprint():
    """A blueprint depends on portal.domain, portal.models and the shared
    web helpers (portal/web/*.py), never on another blueprint."""
    sideways = []
    for path in SOURCES:
        own = blueprint_of(module_name(path))
        if own is None:
            continue
        for module, name, line in imports(path):
            target = blueprint_of(module if name is None else f"{module}.{name}") or blueprint_of(module)
            if target is not None and target != own:
                sideways.append(f"{where(path, line)} imports {module} ({name})")
    assert sideways == []


def test_domain_modules_use_no_flask_request_or_app_globals():
    found = []
    for path in sorted((PORTAL / "domain").rglob("*.py")):
        for module, name, line in imports(path):
            if module == "flask" and (name is None or name in FLASK_GLOBALS):
                found.append(f"{where(path, line)} imports flask.{name or '*'}")
            if module == "flask_login" or module.startswith("portal.web"):
                found.append(f"{where(path, line)} imports {module}")
    assert found == []


def test_the_domain_has_no_import_cycles():
    """Shared pieces live in a lower module; no cycle hides behind a
    function-local import."""
    modules = {module_name(p): p for p in (PORTAL / "domain").rglob("*.py")}
    graph = {
        name: {target for m, n, _ in imports(p, top_level_only=True) for target in (m, f"{m}.{n}") if target in modules}
        for name, p in modules.items()
    }
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


STATUS_ENUMS = {"CaseStatus", "TaskStatus", "S", "T"}


def _status_assignments(path: Path) -> list[str]:
    found = []
    for node in ast.walk(tree(path)):
        targets = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                owner = ast.unparse(target.value).lower()
                if "case" in owner or "task" in owner or (value is not None and _mentions(value, STATUS_ENUMS)):
                    found.append(f"{where(path, node.lineno)} assigns {ast.unparse(target)}")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "values" and _mentions(func, {"Case", "Task"}):
                if any(k.arg == "status" for k in node.keywords):
                    found.append(f"{where(path, node.lineno)} updates status in bulk")
            if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1:
                if isinstance(node.args[1], ast.Constant) and node.args[1].value == "status":
                    found.append(f"{where(path, node.lineno)} sets status with setattr")
    return found


LIFECYCLE = PORTAL / "domain" / "lifecycle.py"


def test_case_and_task_statuses_change_only_in_the_lifecycle_module():
    found = [line for path in SOURCES if path != LIFECYCLE for line in _status_assignments(path)]
    assert found == []


def test_the_status_check_would_catch_an_assignment(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(case, task, row):\n    case.status = 1\n    task.status = TaskStatus.open\n    row.status = CaseStatus.x\n")
    assert len(_status_assignments(sample)) == 3


def _constructs(path: Path, class_name: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree(path))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == class_name
    ]


@pytest.mark.parametrize(
    ("class_name", "owner"),
    [("Task", "domain/lifecycle.py"), ("CaseSuspension", "domain/deadlines.py")],
)
def test_tasks_and_suspensions_come_into_being_in_one_module(class_name, owner):
    found = [where(p, line) for p in SOURCES if p != PORTAL / owner for line in _constructs(p, class_name)]
    assert found == []


def test_suspensions_end_only_in_the_deadline_module():
    found = []
    for path in SOURCES:
        if path == PORTAL / "domain" / "deadlines.py":
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "ended_at" for t in node.targets):
                found.append(where(path, node.lineno))
    assert found == []


CONFIG = PORTAL / "config.py"


def test_environment_variables_are_read_only_in_config():
    found = []
    for path in SOURCES:
        if path == CONFIG:
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and ast.unparse(node.value) == "os":
                found.append(where(path, node.lineno))
            if isinstance(node, ast.ImportFrom) and node.module == "os" and any(a.name in ("environ", "getenv") for a in node.names):
                found.append(where(path, node.lineno))
    assert found == []


TEXT = PORTAL / "domain" / "text.py"
UPLOADS = PORTAL / "domain" / "uploads.py"  # file names: NFC, kept as the file system had them


def test_typed_text_is_normalised_only_in_the_text_module():
    found = [
        where(path, node.lineno)
        for path in SOURCES
        if path not in (TEXT, UPLOADS)
        for node in ast.walk(tree(path))
        if isinstance(node, ast.Attribute) and node.attr == "normalize" and ast.unparse(node.value) == "unicodedata"
    ]
    assert found == []


WEB_CLOCK = WEB / "clock.py"


def test_web_views_take_the_time_once_per_request():
    """One "now" per request, from portal/web/clock.py; no module of its own."""
    found = []
    for path in sorted(WEB.rglob("*.py")):
        if path == WEB_CLOCK:
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("datetime.now", "datetime.utcnow", "date.today"):
                found.append(f"{where(path, node.lineno)} calls {ast.unparse(node.func)}")
            if isinstance(node, ast.FunctionDef) and node.name == "_now":
                found.append(f"{where(path, node.lineno)} defines _now")
    assert found == []


def _utc_dates(path: Path) -> list[str]:
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "date" and not node.args:
            subject = ast.unparse(node.func.value)
            if "now" in subject.lower() or "utc" in subject.lower():
                found.append(f"{where(path, node.lineno)} takes {subject}.date()")
    return found


def test_no_shanghai_date_is_taken_from_a_utc_moment():
    """Dates people see are Shanghai dates (clock.local_date); a UTC
    moment's .date() is a day early between 00:00 and 08:00 in Shanghai."""
    assert [line for path in SOURCES for line in _utc_dates(path)] == []


def test_the_utc_date_check_would_catch_the_old_apply_view(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    return _now().date(), now.date(), local_date(now)\n")
    assert len(_utc_dates(sample)) == 2


def test_command_line_modules_live_in_the_commands_package():
    loose = sorted(p.name for p in PORTAL.glob("*.py") if p.stem.endswith("_cli") or p.stem in ("cli", "demo"))
    assert loose == []
    assert (PORTAL / "commands" / "__init__.py").exists()


def test_wsgi_entry_point_exists():
    source = (ROOT / "wsgi.py").read_text(encoding="utf-8")
    assert "app = create_app()" in source
