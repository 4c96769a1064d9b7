"""Dependencies you can trust: every imported package is declared, the lock pins all of them.

A package imported but not declared arrives only as someone else's dependency and can vanish or
change with their next release; a declared range the lock does not satisfy means `make` installs
something other than what pyproject.toml promises.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "schema", "api", "loaders")
LOCK = ROOT / "requirements" / "dev.lock"


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _requirements(group: str | None) -> list[Requirement]:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    lines = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [Requirement(line) for line in lines]


def _imported_top_level_modules() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - set(PACKAGES) - {"__future__"}


def _locked() -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", LOCK.read_text(encoding="utf-8"), re.M)
    return {canonicalize_name(name): Version(version) for name, version in pins}


def test_every_imported_package_is_a_declared_runtime_dependency() -> None:
    declared = {canonicalize_name(req.name) for req in _requirements(None)}
    distributions = packages_distributions()
    undeclared: dict[str, list[str]] = {}
    for module in sorted(_imported_top_level_modules()):
        owners = {canonicalize_name(dist) for dist in distributions.get(module, [])}
        assert owners, f"{module} is imported but no installed distribution provides it"
        if not owners & declared:
            undeclared[module] = sorted(owners)
    assert not undeclared, f"imported but not declared in [project.dependencies]: {undeclared}"


def test_the_lock_pins_every_declared_dependency_within_its_range() -> None:
    locked = _locked()
    problems: list[str] = []
    for req in [*_requirements(None), *_requirements("dev")]:
        if req.marker is not None and not req.marker.evaluate():
            continue
        version = locked.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name}: not in {LOCK.name}")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: locked {version}, declared {req.specifier}")
    assert not problems, problems


def test_every_lock_entry_carries_a_hash() -> None:
    # pip's --require-hashes refuses the whole file otherwise; checked here to fail early.
    entries = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", LOCK.read_text(encoding="utf-8"))
    pinned = [entry for entry in entries if re.match(r"[A-Za-z0-9_.\-]+==", entry)]
    assert len(pinned) == len(_locked())
    missing = [entry.split()[0] for entry in pinned if "--hash=sha256:" not in entry]
    assert not missing, missing


def test_the_installed_versions_are_the_locked_ones() -> None:
    from importlib.metadata import distributions

    locked = _locked()
    installed = {canonicalize_name(d.metadata["Name"]): Version(d.version) for d in distributions()}
    differ = {
        name: f"installed {installed[name]}, locked {version}"
        for name, version in locked.items()
        if name in installed and installed[name] != version
    }
    missing = sorted(name for name in locked if name not in installed)
    assert not differ, differ
    assert not missing, f"locked but not installed: {missing}"
