"""The layering in the README's architecture section, held by a test.

Every `import` in `src/aarlab` (module level or inside a function) is an edge. A layer may
import only the layers listed for it; no module circle may remain. The positive controls
check that the scanner sees a forbidden import and a circle when there is one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# bottom-layer modules: they import only each other (and the standard library / third parties)
CORE = {"errors", "settings", "rundir", "lifeline", "snapshot"}

# layer -> the layers it may import (besides itself and CORE)
ALLOWED: dict[str, set[str]] = {
    "sandbox": set(),
    "w2s": set(),
    "hub": {"w2s"},
    "oversight": {"w2s", "sandbox", "hub"},
    "researchers": {"w2s", "sandbox", "hub.client", "hub.schemas"},
    "run": {"w2s", "sandbox", "hub", "oversight", "researchers"},
    "commands": {"*"},
    "cli": {"*"},
    "__main__": {"*"},
    "aarlab": {"*"},  # the package's own __init__
}


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(src: Path) -> dict[str, set[str]]:
    """module -> the aarlab modules it imports (a name imported from a package resolves to the
    submodule when one exists by that name)."""
    files = {module_name(p, src): p for p in (src / "aarlab").rglob("*.py")}
    out: dict[str, set[str]] = {}
    for mod, path in files.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.split(".")[0] == "aarlab")
            elif isinstance(node, ast.ImportFrom) and node.module:
                base = node.module
                if node.level:  # relative: resolve against this module's package
                    pkg = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
                    base = ".".join(pkg[: len(pkg) - node.level + 1] + [node.module])
                if base.split(".")[0] != "aarlab":
                    continue
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    deps.add(sub if sub in files else base)
        out[mod] = {d for d in deps if d != mod}
    return out


def layer(mod: str) -> str:
    parts = mod.split(".")
    if len(parts) == 1:
        return "aarlab"
    return "core" if parts[1] in CORE else parts[1]


def allowed(src_mod: str, dst_mod: str) -> bool:
    a, b = layer(src_mod), layer(dst_mod)
    if b == "core" or a == b:
        return True
    if a == "core":
        return False
    rules = ALLOWED.get(a)
    if rules is None:
        raise AssertionError(f"{src_mod}: layer {a!r} is not in the README's layering; add it to ALLOWED")
    dst = dst_mod.split(".", 1)[1]
    return "*" in rules or any(dst == r or dst.startswith(r + ".") for r in rules)


def forbidden(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} -> {b}" for a, deps in graph.items() for b in deps if not allowed(a, b))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_forbidden_import() -> None:
    bad = forbidden(imports(SRC))
    assert not bad, "imports against the layering (README, Architecture):\n" + "\n".join(bad)


def test_no_module_circle() -> None:
    found = cycles(imports(SRC))
    assert not found, "module circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def _fake_tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in {"aarlab/__init__.py": "", **files}.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


@pytest.mark.parametrize(("files", "expected"), [
    ({"aarlab/w2s/__init__.py": "", "aarlab/hub/__init__.py": "",
      "aarlab/w2s/x.py": "def f():\n    from aarlab.hub import app\n"}, ["aarlab.w2s.x -> aarlab.hub"]),
    ({"aarlab/sandbox/__init__.py": "", "aarlab/run/__init__.py": "", "aarlab/run/lifeline2.py": "",
      "aarlab/sandbox/y.py": "import aarlab.run.lifeline2\n"}, ["aarlab.sandbox.y -> aarlab.run.lifeline2"]),
    ({"aarlab/researchers/__init__.py": "", "aarlab/hub/__init__.py": "", "aarlab/hub/db.py": "",
      "aarlab/hub/client.py": "", "aarlab/researchers/z.py": "from aarlab.hub import client, db\n"},
     ["aarlab.researchers.z -> aarlab.hub.db"]),
])
def test_positive_control_forbidden(tmp_path: Path, files: dict[str, str], expected: list[str]) -> None:
    assert forbidden(imports(_fake_tree(tmp_path, files))) == expected


def test_positive_control_circle(tmp_path: Path) -> None:
    src = _fake_tree(tmp_path, {"aarlab/w2s/__init__.py": "",
                                "aarlab/w2s/a.py": "from aarlab.w2s import b\n",
                                "aarlab/w2s/b.py": "def f():\n    from aarlab.w2s.a import g\n"})
    assert cycles(imports(src)) == [["aarlab.w2s.a", "aarlab.w2s.b"]]
