"""The package's layers point one way (docs/architecture.md): a module never imports from a layer
above its own, and only the command line calls the command line."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "stanceclf"

#: Lowest first. A module may import from its own layer and the layers before it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundations", ("stanceclf.errors", "stanceclf.types", "stanceclf.metrics", "stanceclf.files",
                     "stanceclf._memory", "stanceclf._hf")),
    ("data", ("stanceclf.data",)),
    ("models and extraction", ("stanceclf.models", "stanceclf.extract")),
    ("evaluation and analysis", ("stanceclf.eval", "stanceclf.analysis", "stanceclf.testing")),
    ("command line", ("stanceclf.cli",)),
]
#: Upward references kept on purpose, each with its reason (function-level imports only).
ALLOWED = {
    # a result shows itself (table, HTML, Jupyter): display methods call the renderers lazily
    ("stanceclf.analysis.results", "stanceclf.analysis.outputs"),
    ("stanceclf.analysis.results", "stanceclf.analysis.report"),
}


def _layer(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    return None if best is None else best[0]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found += [(name, node.lineno)] + [(f"{name}.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.startswith("stanceclf")]


def _upward_imports() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        own = _layer(module)
        if own is None:
            continue
        reported: set[int] = set()
        for name, line in _imports(path):  # one problem per import statement
            target = _layer(name)
            if line not in reported and target is not None and target > own and not any(
                    module == a and (name == b or name.startswith(b + ".")) for a, b in ALLOWED):
                reported.add(line)
                problems.append(f"{module} (layer '{LAYERS[own][0]}') imports {name} "
                                f"(layer '{LAYERS[target][0]}') at line {line}")
    return sorted(problems)


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = [_module_name(p) for p in PACKAGE.rglob("*.py")
                if _module_name(p) != "stanceclf" and _layer(_module_name(p)) is None]
    assert not unplaced, f"place these modules in a layer (tests/test_architecture.py, docs/architecture.md): {unplaced}"


def test_no_module_imports_from_a_higher_layer() -> None:
    assert not _upward_imports(), "\n".join(_upward_imports())


def test_the_checker_finds_an_upward_import(tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "stanceclf"
    (fake / "models").mkdir(parents=True)
    (fake / "models" / "bad.py").write_text("from ..analysis.pipeline import Analyzer\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert _upward_imports() == ["stanceclf.models.bad (layer 'models and extraction') imports "
                                 "stanceclf.analysis.pipeline (layer 'evaluation and analysis') at line 1"]


def test_only_the_command_line_runs_the_command_line() -> None:
    callers = [str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
               if PACKAGE / "cli" not in p.parents and "stanceclf.cli" in p.read_text(encoding="utf-8")]
    assert not callers, f"library code must call library functions, not the CLI: {callers}"
