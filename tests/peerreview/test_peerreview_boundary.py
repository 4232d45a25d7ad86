"""The peerreview boundary (STYLE.md habit 7): a plain-SQLAlchemy package that never imports
``course`` or Flask."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "peerreview"


def test_importing_peerreview_does_not_import_course_or_flask():
    code = (
        "import peerreview, peerreview.services, peerreview.allocation, sys; "
        "assert 'course' not in sys.modules and 'flask' not in sys.modules, "
        "sorted(m for m in sys.modules if m.split('.')[0] in {'course', 'flask'})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_no_source_file_mentions_course_or_flask_imports():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in {"course", "flask"}
            ]
    assert offenders == []


def test_allocation_is_pure():
    """The fairness rules import neither the database layer nor the models."""
    tree = ast.parse((PACKAGE / "allocation.py").read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {m for m in imported if m.startswith("sqlalchemy") or m in {"models", "services"}}
