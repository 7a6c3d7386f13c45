"""The CRM's imports point one way (docs/architecture.md): core knows no domain, nothing below
the API knows HTTP or the API, rules stay pure, and follow-ups know no other domain (domains
register their kinds). A forbidden import fails here."""

import ast
from pathlib import Path
from typing import Dict, List, Set

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "crm_backend"
API_LAYER_NAMES = {"api", "params"}
API_LAYER_MODULES = {"crm_backend.app", "crm_backend.policies", "crm_backend.__main__",
                     "crm_backend.jobs.cli", "crm_backend.staff.cli",
                     # The staff login guard: middleware and decorator the staff API and pages use.
                     "crm_backend.staff.guard"}
HTTP_MODULES = {"crm_backend.core.http", "crm_backend.core.auth", "crm_backend.core.body",
                "crm_backend.core.health"}
# The background loops run inside the app (follow-up scheduler, daily jobs): they may read the
# app's state, nothing else of the HTTP layer.
LOOP_NAMES = {"scheduler", "runner"}
IMPURE = ("sqlalchemy", "aiohttp", "asyncpg", "aiosqlite")


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Set[str]:
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


GRAPH: Dict[str, Set[str]] = {
    _module(p): _imports(p) for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
MODULES = set(GRAPH)


def is_api_layer(module: str) -> bool:
    return module in API_LAYER_MODULES or module.rsplit(".", 1)[-1] in API_LAYER_NAMES


def _forbidden(module: str) -> List[str]:
    imported = {name for name in GRAPH[module] if name in MODULES or not name.startswith("crm")}
    bad = []
    if module.startswith("crm_backend.core."):
        bad += [n for n in imported if n in MODULES and not n.startswith("crm_backend.core")]
    if not is_api_layer(module):
        bad += [n for n in imported if n in MODULES and (is_api_layer(n) or n in HTTP_MODULES)
                and not module.startswith("crm_backend.core.")]
        in_core = module.startswith("crm_backend.core")
        if module.rsplit(".", 1)[-1] not in LOOP_NAMES and not in_core:
            bad += [n for n in imported if n == "crm_backend.core.state"]
    if module.startswith("crm_backend.followups."):
        bad += [n for n in imported if n in MODULES and not n.startswith(
            ("crm_backend.core", "crm_backend.followups"))]
    if module.endswith(".rules"):
        bad += [n for n in GRAPH[module] if n.split(".")[0] in IMPURE or n.endswith(".store")
                or n == "crm_backend.core.policy_files"]
    return sorted(set(bad))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_one_way(module: str) -> None:
    assert _forbidden(module) == []


def test_the_check_catches_a_forbidden_import() -> None:
    GRAPH["crm_backend.loyalty.rules"].add("crm_backend.loyalty.store")
    try:
        assert _forbidden("crm_backend.loyalty.rules") == ["crm_backend.loyalty.store"]
    finally:
        GRAPH["crm_backend.loyalty.rules"].discard("crm_backend.loyalty.store")
