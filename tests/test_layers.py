"""Layers import one way: base -> builders -> manifests -> checks -> order -> writer ->
library entry points -> CLI. A module may import its own layer and the ones below,
never one above (lazy imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kubegen"

# Ordered from the bottom up; a module belongs to the first prefix that matches.
LAYERS: list[tuple[str, ...]] = [
    ("kubegen.errors", "kubegen.location", "kubegen.names", "kubegen.apidata", "kubegen.facts", "kubegen.escape",
     "kubegen.safefs", "kubegen.values", "kubegen.hooks", "kubegen.record"),
    ("kubegen.model",),
    ("kubegen.manifest", "kubegen.finding", "kubegen.reader"),
    ("kubegen.checks",),
    ("kubegen.order",),
    ("kubegen.writer", "kubegen.output", "kubegen.stdio"),
    ("kubegen.api", "kubegen.appload", "kubegen.lint", "kubegen.fix", "kubegen.network", "kubegen.explain",
     "kubegen.graph", "kubegen.gitops", "kubegen.importer", "kubegen.testing", "kubegen.templates"),
    ("kubegen.cli", "kubegen.__main__"),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def rank(module: str) -> int | None:
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + ".") or module.startswith(prefix + "_"):
                return index
    return None


def imported_modules(path: Path, own: str) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    package_parts = own.split(".") if path.name == "__init__.py" else own.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "kubegen":
                # `from kubegen import facts` imports a module; `from kubegen import Stack`
                # goes through the package root.
                for alias in node.names:
                    is_module = (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").is_file()
                    found.add(f"kubegen.{alias.name}" if is_module else "kubegen")
                continue
            found.add(module)
            # `from kubegen.checks import schema` imports the submodule too
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "kubegen" or m.startswith("kubegen.")}


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    unranked = [module_name(p) for p in MODULES if module_name(p) != "kubegen" and rank(module_name(p)) is None]
    assert unranked == [], f"add these modules to a layer in {__file__}: {unranked}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_upward_imports(path: Path) -> None:
    own = module_name(path)
    if own == "kubegen":
        return  # the package root only re-exports
    own_rank = rank(own)
    assert own_rank is not None
    upward = []
    for target in sorted(imported_modules(path, own)):
        if target == "kubegen":
            upward.append("kubegen (the package root re-exports every layer: import the module you need)")
            continue
        target_rank = rank(target)
        if target_rank is None:
            # `from kubegen.checks import Finding`: a name, not a module
            target_rank = rank(target.rsplit(".", 1)[0])
        if target_rank is not None and target_rank > own_rank:
            upward.append(target)
    assert upward == [], f"{own} imports from a higher layer: {upward}"
