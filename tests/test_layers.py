"""The features depend on each other in one direction (DESIGN.md §4), and the shared core on
none of them. A new import against the direction fails here with the arrow it adds.

Type-checking-only imports are not arrows (they do not run). Where a lower feature must make a
higher one react, it sends a signal (``course/<feature>/signals.py``) or asks for a page's
parts (:data:`course.web.page_parts`), and the higher one listens.
"""

from __future__ import annotations

import grimp
import pytest

#: Highest first. Features in one layer are independent of each other.
LAYERS = [
    {"privacy"},
    {"changes", "receipts", "outcomes"},
    {"payouts", "followup", "report"},
    {"approvals", "rounds", "polls", "reactions", "material", "ideas"},
    {"live"},
    {"budgets"},
    {"schedule"},
    {"people"},
]
FEATURES = set().union(*LAYERS)
#: Below every feature: they import none.
CORE = {"access", "config", "database", "errors", "exports", "extensions", "i18n", "mail",
        "markdown", "money", "realtime", "security", "sessions", "types", "web"}
#: Above everything: the app factory and what runs the app assemble the features.
ASSEMBLY = {"__init__", "__main__", "cli", "demo", "models", "wsgi"}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("course", "peerreview", include_external_packages=False,
                             exclude_type_checking_imports=True)


def _part(module: str) -> str:
    """``course.live.routes`` → ``live``; ``course`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _level(part: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS) if part in layer), None)


def _arrows(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    return [(importer, imported)
            for importer in sorted(graph.modules) if importer.startswith("course")
            for imported in sorted(graph.find_modules_directly_imported_by(importer))
            if imported.startswith("course.")]


def test_every_module_of_course_is_placed(graph):
    placed = FEATURES | CORE | ASSEMBLY
    assert sorted({_part(m) for m in graph.modules if m.startswith("course")} - placed) == []


def against_the_layers(arrows: list[tuple[str, str]]) -> list[str]:
    """The arrows from a feature to one in its own layer or above."""
    against = []
    for importer, imported in arrows:
        source, target = _level(_part(importer)), _level(_part(imported))
        if source is None or target is None or _part(importer) == _part(imported):
            continue
        if target <= source:
            against.append(f"{importer} -> {imported}")
    return against


def into_features_from_core(arrows: list[tuple[str, str]]) -> list[str]:
    return [f"{importer} -> {imported}" for importer, imported in arrows
            if _part(importer) in CORE and _part(imported) in FEATURES]


def into_other_features_routes(arrows: list[tuple[str, str]]) -> list[str]:
    return [f"{importer} -> {imported}" for importer, imported in arrows
            if imported.split(".")[2:3] == ["routes"] and _part(imported) in FEATURES
            and _part(importer) not in ({_part(imported)} | ASSEMBLY)]


def test_features_import_only_features_below_them(graph):
    assert against_the_layers(_arrows(graph)) == []


def test_the_core_imports_no_feature(graph):
    assert into_features_from_core(_arrows(graph)) == []


def test_no_feature_imports_another_features_routes(graph):
    assert into_other_features_routes(_arrows(graph)) == []


def test_each_check_reports_an_arrow_against_it():
    """The checks themselves: each finds the arrow it is about, and lets the allowed ones be."""
    allowed = [("course.live.day", "course.people.models"),
               ("course.rounds.routes", "course.live.pushes"),
               ("course.web", "course.extensions"),
               ("course", "course.live.routes")]
    assert against_the_layers(allowed) == []
    assert into_features_from_core(allowed) == []
    assert into_other_features_routes(allowed) == []
    assert against_the_layers([("course.people.routes", "course.live.day")]) == [
        "course.people.routes -> course.live.day"]
    assert against_the_layers([("course.rounds.routes", "course.approvals.services")]) == [
        "course.rounds.routes -> course.approvals.services"]  # siblings
    assert into_features_from_core([("course.mail", "course.people.models")]) == [
        "course.mail -> course.people.models"]
    assert into_other_features_routes([("course.approvals.routes",
                                        "course.budgets.routes")]) == [
        "course.approvals.routes -> course.budgets.routes"]


def test_access_kinds_are_the_roles():
    """``course.access`` names the roles without importing people; they must agree."""
    from course import access
    from course.people.models import Role

    assert {access.CITIZEN, access.FACILITATOR, access.JOB_CONSULTANT, access.TEAM_LEAD,
            access.FINANCE} == {role.value for role in Role}


def test_no_two_test_modules_share_a_name():
    """pytest imports test modules by their basename (rootdir-relative, without packages): two
    files of one name in tests/ and e2e/ stop the collection of the whole suite, which `make
    test` then reports as one error — it happened twice."""
    from collections import Counter
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    names = Counter(path.name for folder in ("tests", "e2e")
                    for path in (root / folder).rglob("test_*.py"))
    assert [name for name, n in names.items() if n > 1] == []
