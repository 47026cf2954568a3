"""Layers point one way: cli -> api -> validators/reports/history/interop/infer ->
contracts -> the bottom helpers (errors, redact, urls, files). Every import in the package
is read with ``ast`` (those inside functions and under ``TYPE_CHECKING`` too: a type a layer
names is a thing it knows), and none may point up. Modules import each other in no
circle either (counting the imports that run)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "omnicontract"

LAYER = {
    "__main__": 6,  # python -m omnicontract: runs the CLI
    "cli": 5,
    "api": 4,
    "__init__": 4,  # the package's lazy facade over the API
    "validators": 3,
    "reports": 3,
    "history": 3,
    "interop": 3,
    "infer": 3,
    "contracts": 2,
    "errors": 1,
    "redact": 1,
    "urls": 1,
    "files": 1,
    "words": 1,
    "data": 1,
}
NAMES = {"cli", "api", "contracts", "validators", "reports", "history", "interop", "infer"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_only(tree: ast.Module) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:``."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return out


def imports(path: Path, *, runtime: bool = False) -> set[str]:
    """Every omnicontract module ``path`` imports, anywhere in the file (``runtime``: not
    those under ``if TYPE_CHECKING:``, which never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_only(tree) if runtime else set()
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("omnicontract")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("omnicontract"):
                continue
            for alias in node.names:  # `from pkg import module` names a module
                sub = f"{base}.{alias.name}"
                known = (PACKAGE.parent / Path(*sub.split("."))).with_suffix(".py")
                is_pkg = (PACKAGE.parent / Path(*sub.split(".")) / "__init__.py").exists()
                out.add(sub if known.exists() or is_pkg else base)
    return out


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return LAYER["__init__"]
    top = parts[1]
    assert top in LAYER, f"{module}: add its package to the layer map in {__file__}"
    return LAYER[top]


def graph(*, runtime: bool = False) -> dict[str, set[str]]:
    return {module_name(p): imports(p, runtime=runtime) for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_layer_imports_a_layer_above_it():
    upward = [
        f"{mod} ({layer(mod)}) imports {dep} ({layer(dep)})"
        for mod, deps in graph().items()
        for dep in sorted(deps)
        # the package root holds the version, and every module loads it anyway; its lazy
        # facade over the API is the one import that points up
        if dep != "omnicontract" and mod != "omnicontract" and layer(dep) > layer(mod)
    ]
    assert upward == []


def test_the_contract_layer_knows_nothing_of_execution_and_reports_nothing_of_the_cli():
    g = graph()
    assert not [
        (m, d)
        for m, deps in g.items()
        if m.startswith("omnicontract.contracts")
        for d in deps
        if d.split(".")[1] in NAMES - {"contracts"}
    ]
    assert not [
        (m, d)
        for m, deps in g.items()
        if m.startswith("omnicontract.reports")
        for d in deps
        if d.startswith("omnicontract.cli")
    ]


def test_modules_import_each_other_in_no_circle():
    """Imports that run (at the top of a module or inside a function) form no circle; a
    type named under TYPE_CHECKING (a check naming the run it is given) is not an edge."""
    g = graph(runtime=True)
    circles: list[list[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in g.get(v, ()):
            if w not in g:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in g:
        if v not in index:
            visit(v)
    assert circles == []
