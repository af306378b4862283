"""The import graph: no cycle between rps_app's parts, lower layers never import higher ones,
and `reports/` stays a leaf (plain data in, PDF bytes out).

Every module is parsed (nothing is imported), and every import counts, those inside
functions included. A part is a subpackage of rps_app (`rps_app.stays`) or a top-level
module (`rps_app.errors`); `rps_app` itself is the app factory. docs/architecture.md
explains the layers.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "rps_app"

# The domain layers, lowest first (docs/architecture.md). A part may import parts of its
# own layer or lower ones, never higher. Domain packages not named here (the new ones
# listed in rps_app.domains.DOMAINS) stand between referrals and reporting.
DOMAIN_LAYERS = [
    ["rps_app.audit"],
    ["rps_app.auth"],
    ["rps_app.facility"],
    ["rps_app.clients"],
    ["rps_app.stays"],
    ["rps_app.referrals"],
    None,  # the newer domains (operations, stock, casework ...)
    ["rps_app.reporting"],
]
# Shared modules every domain uses: they import no domain package but `audit`, the bottom.
SHARED = {"rps_app.actor", "rps_app.errors", "rps_app.permissions", "rps_app.clock",
          "rps_app.types", "rps_app.extensions", "rps_app.transaction", "rps_app.fields",
          "rps_app.web", "rps_app.signals", "rps_app.registry", "rps_app.scheduling",
          "rps_app.commandline", "rps_app.sequences", "rps_app.settings", "rps_app.config",
          "rps_app.security", "rps_app.navigation", "rps_app.domains", "rps_app.labels",
          "rps_app.openapi", "rps_app.batch", "rps_app.reads", "rps_app.data_version",
          "rps_app.page_cache"}
BOTTOM_DOMAIN = "rps_app.audit"
FORBIDDEN_IN_REPORTS = ("flask", "flask_", "sqlalchemy", "rps_app", "werkzeug", "jinja2",
                        "scheduler")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether the dotted name is a module or package of this repository."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(path: Path, source: str | None = None):
    """(imported module, line) for every import in the file, at any depth."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    source = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                # `from pkg import mod` imports the module pkg.mod; `from mod import name` mod.
                full = f"{base}.{alias.name}"
                yield (full if is_module(full) else base), node.lineno


def part_of(module: str) -> str | None:
    """The part of rps_app a module belongs to (None outside rps_app)."""
    pieces = module.split(".")
    if pieces[0] != "rps_app":
        return None
    if len(pieces) > 1 and is_module(f"rps_app.{pieces[1]}"):
        return f"rps_app.{pieces[1]}"
    return "rps_app"


def app_files():
    return [path for path in sorted(APP.rglob("*.py")) if "versions" not in path.parts]


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, list[str]]]:
    """part -> {imported part: ["file:line", ...]}"""
    edges: dict[str, dict[str, list[str]]] = {}
    for path in app_files():
        source = part_of(module_name(path))
        for target_module, line in imports(path):
            target = part_of(target_module)
            if target is None or target == source:
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            edges.setdefault(source, {}).setdefault(target, []).append(where)
    return edges


def cycles(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one part (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(edges) | {t for targets in edges.values() for t in targets}):
        if node not in index:
            visit(node)
    return found


def describe(edges, component) -> str:
    lines = []
    for source in component:
        for target in component:
            for where in edges.get(source, {}).get(target, []):
                lines.append(f"  {source} -> {target}  ({where})")
    return "\n".join(lines)


def test_the_graph_sees_imports_inside_functions():
    """The parser itself: a function-level import is an edge (guards the checks below)."""
    source = ("from . import models\n"
              "def register(app):\n"
              "    from .. import registry\n"
              "    from ..auth.permissions import Permission\n"
              "    import reports.daily\n")
    found = {module for module, _line in imports(APP / "clients" / "__init__.py", source)}
    assert found == {"rps_app.clients.models", "rps_app.registry", "rps_app.auth.permissions",
                     "reports.daily"}
    assert {part_of(module) for module in found} == {
        "rps_app.clients", "rps_app.registry", "rps_app.auth", None}


def test_no_cycle_between_parts_of_rps_app(graph):
    problems = [describe(graph, component) for component in cycles(graph)]
    assert not problems, "import cycles between parts of rps_app:\n" + "\n\n".join(problems)


def domain_rank(part: str, domains: list[str]) -> int | None:
    if part in SHARED:  # a shared module may also register routes (openapi.json)
        return None
    for rank, layer in enumerate(DOMAIN_LAYERS):
        if layer is not None and part in layer:
            return rank
    if part in domains:
        return DOMAIN_LAYERS.index(None)
    return None


def test_lower_layers_never_import_higher_ones(graph):
    from rps_app.domains import DOMAINS
    problems = []
    for source, targets in graph.items():
        for target, places in targets.items():
            low, high = domain_rank(source, DOMAINS), domain_rank(target, DOMAINS)
            if low is not None and high is not None and high > low:
                problems.append(f"{source} imports the higher {target} ({', '.join(places)})")
            if source in SHARED and high is not None and target != BOTTOM_DOMAIN:
                problems.append(f"shared {source} imports the domain {target} "
                                f"({', '.join(places)})")
    assert not problems, "\n".join(problems)


def test_reports_is_a_leaf():
    """reports/ builds PDFs from plain data: no Flask, SQLAlchemy, rps_app or scheduler."""
    problems = []
    for path in sorted((ROOT / "reports").rglob("*.py")):
        for module, line in imports(path):
            top = module.split(".")[0]
            if any(top == name or (name.endswith("_") and top.startswith(name))
                   for name in FORBIDDEN_IN_REPORTS):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not problems, "\n".join(problems)


def test_rps_app_never_imports_the_scheduler():
    problems = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                for path in app_files() for module, line in imports(path)
                if module.split(".")[0] == "scheduler"]
    assert not problems, "\n".join(problems)


def test_no_import_is_probed():
    """A domain never tries another one's import and carries on without it."""
    problems = []
    for path in app_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Try) and any(
                    isinstance(handler.type, ast.Name)
                    and handler.type.id in ("ImportError", "ModuleNotFoundError")
                    for handler in node.handlers):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not problems, "import probing (try/except ImportError): " + ", ".join(problems)
