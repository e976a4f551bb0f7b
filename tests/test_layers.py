"""A layer imports only what is below it: periods.py, then models, then services, then jobs
and the app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"app", "blueprints", "commands", "config", "demo", "extensions", "jobs", "models",
           "periods", "services"}
# What each layer may import from the project, besides itself.
BELOW = {
    "periods.py": set(),
    "models": {"extensions", "periods"},
    "services": {"extensions", "models", "periods"},
}


def _project_imports(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & PROJECT


@pytest.mark.parametrize("layer", sorted(BELOW))
def test_a_layer_imports_nothing_above_it(layer):
    own = {layer.removesuffix(".py")}
    paths = [ROOT / layer] if layer.endswith(".py") else sorted((ROOT / layer).rglob("*.py"))
    above = {
        str(path.relative_to(ROOT)): sorted(_project_imports(path) - own - BELOW[layer])
        for path in paths
    }
    assert {path: names for path, names in above.items() if names} == {}
