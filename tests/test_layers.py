"""The layers of docs/ARCHITECTURE.md, as the import-linter contracts in pyproject.toml say
them: cli above the pipeline, the pipeline above the stages, the stages above the template
and the records, and the readers and the store never importing the writers. An import that
breaks them fails here, so the README's test command fails with it.

The second test proves the check can fail: a copy of the package with one import against
the layers is refused, with that import named.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"
CONTRACTS = ("Layers: the pipeline above the stages, the stages above the template and the",
             "The readers and the store never import the writers")


def _lint(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "COLUMNS": "200"}
    # (the contracts are read from the pyproject.toml in `cwd`)
    return subprocess.run([sys.executable, "-c", LINT, "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_imports_keep_the_layers() -> None:
    done = _lint(ROOT, ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout
    for name in CONTRACTS:
        assert name in done.stdout


def _copy(tmp_path: Path) -> Path:
    """The package's Python files and pyproject.toml, in tmp_path/src."""
    src = tmp_path / "src"
    for path in (ROOT / "cslevel").rglob("*.py"):
        target = src / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    shutil.copyfile(ROOT / "pyproject.toml", src / "pyproject.toml")
    return src


def test_an_import_against_the_layers_is_refused_with_its_place(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    values = src / "cslevel" / "read" / "values.py"
    values.write_text(values.read_text(encoding="utf-8")
                      + "\nfrom ..export import safe  # noqa\n", encoding="utf-8")
    done = _lint(src, src)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Contracts: 0 kept, 2 broken." in done.stdout
    assert "cslevel.read.values -> cslevel.export.safe" in done.stdout


def test_an_import_under_type_checking_does_not_count(tmp_path: Path) -> None:
    """Type annotations may name a higher layer's types (`if TYPE_CHECKING:` imports are
    left out, as the contract says)."""
    src = _copy(tmp_path)
    records = src / "cslevel" / "records.py"
    records.write_text(records.read_text(encoding="utf-8") + (
        "\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from .pipeline import session  # noqa\n"), encoding="utf-8")
    done = _lint(src, src)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout
