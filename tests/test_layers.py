"""The package's import layers: imports only point down the order below, and there is no cycle.

Every module's imports are read from its source (``ast``), those inside functions included, so a
hidden import cannot climb a layer either. The order is the team brief's (and STYLE.md's): a
module may import only modules listed before it.

Adding a module? Put its name in ORDER where it belongs (foundation, parsing stage, corpus
assembly, analysis, presentation); the test fails until you do.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "policylab"

# a module may import only modules listed before it (names not yet written are kept in their place)
ORDER = [
    # foundation
    "resources", "schema", "text", "cache", "store",
    # parsing stages
    "ingest", "frame", "clean", "dedup", "structure", "meta", "targets", "labels",
    # assembling a corpus
    "corrections", "page", "distributed", "corpus",
    # analysis
    "compounds", "segment", "tokens", "matrix", "terms", "keywords", "topics", "timeline", "instruments", "agreement", "instrument_shares", "reuse", "compare",
    # presentation (``plots`` covers the plots package and every plots.* module)
    "findings", "plots", "report", "runner", "cli", "__main__",
]

# modules whose package imports still sit inside functions; their owners are moving them to the top
# (issue 14). Take a module out of this set once its imports are at the top.
HIDDEN_IMPORTS_PENDING: set[str] = set()


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) if parts else ""  # "" is the package itself


def _layer(name: str) -> str:
    return name.split(".")[0]


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, known: set[str]) -> list[tuple[str, int, bool]]:
    """(imported package module, line, at module top) for every import of a package module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top = {id(n) for n in tree.body}
    here = _module_name(path)
    base = here.split(".")[:-1] if not path.name == "__init__.py" else here.split(".")
    out = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name == "policylab" or a.name.startswith("policylab.")]
            targets = [t.removeprefix("policylab").lstrip(".") for t in targets]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join([*parent, *(node.module or "").split(".")]).strip(".")
            elif node.module == "policylab" or (node.module or "").startswith("policylab."):
                mod = node.module.removeprefix("policylab").lstrip(".")
            else:
                continue
            # ``from policylab import schema`` imports the module schema; ``from policylab import
            # __version__`` only the package itself
            targets = [f"{mod}.{a.name}".strip(".") if f"{mod}.{a.name}".strip(".") in known else mod
                       for a in node.names]
        for t in targets:
            out.append((t, node.lineno, id(node) in top))
    return out


def _graph() -> dict[str, list[tuple[str, int, bool]]]:
    mods = _modules()
    known = set(mods)
    return {name: [(t, ln, top) for t, ln, top in _imports(p, known) if t != name] for name, p in mods.items()}


def test_every_module_has_a_place_in_the_order():
    missing = sorted({_layer(m) for m in _modules() if m} - set(ORDER))
    assert not missing, (
        f"modules {missing} are not in tests/test_layers.py ORDER: add each where it belongs "
        "(a module may import only modules listed before it) and to the order in the team brief"
    )


def test_imports_only_point_down():
    rank = {name: i for i, name in enumerate(ORDER)}
    upward = []
    for mod, imports in _graph().items():
        if not mod or _layer(mod) not in rank:
            continue
        for target, line, _ in imports:
            if not target:
                continue  # the package itself (``from policylab import __version__``)
            a, b = _layer(mod), _layer(target)
            if a != b and rank.get(b, len(ORDER)) > rank[a]:
                upward.append(f"policylab/{mod.replace('.', '/')}.py:{line} imports {target} (a later layer)")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_no_import_cycle():
    graph = {m: sorted({t for t, _, _ in imps if t}) for m, imps in _graph().items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in graph.get(m, []):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_package_imports_stand_at_the_top():
    """Imports between the package's own modules go at the top, so a module's neighbours show there."""
    hidden = []
    for mod, imports in _graph().items():
        if _layer(mod) in HIDDEN_IMPORTS_PENDING:
            continue
        hidden += [f"policylab/{mod.replace('.', '/')}.py:{line} imports {t} inside a function"
                   for t, line, top in imports if not top and t]
    assert not hidden, "\n".join(hidden)


def test_the_checker_sees_an_upward_and_a_hidden_import(tmp_path):
    """The reader above finds ``from policylab.corpus import …`` inside a function of a module."""
    f = tmp_path / "policylab" / "meta.py"
    f.parent.mkdir()
    f.write_text("from policylab import schema\n\ndef f():\n    from policylab.corpus import load_corpus\n",
                 encoding="utf-8")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "policylab"
    try:
        found = _imports(f, {"schema", "corpus", "meta"})
    finally:
        PACKAGE = saved
    assert found == [("schema", 1, True), ("corpus", 4, False)]


def test_import_policylab_loads_no_heavy_library():
    """``import policylab`` stays light (< 0.3 s): pandas, jieba, scikit-learn load on first use."""
    code = ("import sys, policylab\n"
            "heavy = {'pandas', 'numpy', 'jieba', 'rjieba', 'sklearn', 'scipy', 'matplotlib', 'opencc', 'pyarrow'}\n"
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
