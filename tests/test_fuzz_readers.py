"""BAD_INPUTS 51: a fuzzer's mutated workbooks give only clean refusals or clean results:
no traceback, no abort, no hang over 30 s, no gigabytes of memory (tests/fuzz_core.py).

A fixed list of seeds is tried for about a minute (CSLEVEL_FUZZ_SECONDS), each seed giving
one mutant of each valid input; a failure names the base input, the seed and the mutations,
which `fuzz_core.mutate` makes again byte for byte. Every input found failing so far (by
these runs or by `benchmarks/fuzz_readers.py`) is kept in tests/fuzz_regressions/ and
replayed here."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import fuzz_core
import pytest

SECONDS = float(os.environ.get("CSLEVEL_FUZZ_SECONDS", "60"))
FIRST_SEED = 0


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> list[fuzz_core.Base]:
    fuzz_core.warm_up()
    return fuzz_core.bases(tmp_path_factory.mktemp("bases"))


@pytest.fixture(autouse=True)
def _no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSLEVEL_WORKERS", "0")


def _report(failures: list[tuple[fuzz_core.Mutant, fuzz_core.Outcome]]) -> str:
    lines = []
    for mutant, outcome in failures[:10]:
        lines.append(f"{fuzz_core.signature(outcome)}\n    {mutant.describe()}\n    "
                     + "\n    ".join(str(outcome.value).strip().splitlines()[-6:]))
    return f"{len(failures)} failing input(s):\n" + "\n".join(lines)


def test_bad_inputs_51_mutated_inputs_are_refused_or_read_cleanly(
        bases: list[fuzz_core.Base], tmp_path: Path) -> None:
    report = fuzz_core.fuzz(bases, itertools.count(FIRST_SEED), tmp_path, SECONDS)
    assert report.tried >= len(bases), report
    assert not report.failures, _report(report.failures)
    assert report.clean.get("ok", 0) and report.clean.get("refused", 0), report.clean


def test_bad_inputs_51_a_mutant_is_made_again_from_its_seed(
        bases: list[fuzz_core.Base], tmp_path: Path) -> None:
    """The same base and seed give the same bytes (the inputs are written without a
    clock); other seeds give other bytes."""
    again = fuzz_core.bases(tmp_path)
    for base, other in zip(bases, again):
        assert base.data == other.data, base.name
        assert fuzz_core.mutate(base, 7).data == fuzz_core.mutate(other, 7).data
        assert len({fuzz_core.mutate(base, seed).data for seed in range(20)}) >= 15


def test_bad_inputs_51_the_harness_sees_each_kind_of_failure(tmp_path: Path) -> None:
    """The child runner tells a crash, a hang, an exception and memory apart from a clean
    result and a refusal (else the fuzzing above could not fail)."""
    import os as _os
    import signal
    import time

    from isolated import run_in_child

    from cslevel.records import CslevelError, Problem

    def refuse() -> None:
        raise CslevelError(Problem("no"))

    def grab() -> int:
        return len(bytearray(4 * 1024**3))

    outcomes = {
        "ok": run_in_child(lambda: 1),
        "refused": run_in_child(refuse),
        "exception": run_in_child(lambda: {}["x"]),
        "crash": run_in_child(lambda: _os.kill(_os.getpid(), signal.SIGABRT)),
        "hang": run_in_child(lambda: time.sleep(60), timeout=1),
        "memory": run_in_child(grab),
    }
    assert {kind: outcome.kind for kind, outcome in outcomes.items()} == {
        kind: kind for kind in outcomes}
    assert outcomes["crash"].value == "SIGABRT"
    assert not any(o.clean for k, o in outcomes.items() if k not in ("ok", "refused"))


REGRESSIONS = fuzz_core.regressions()


@pytest.mark.parametrize(("target", "path"), [
    pytest.param(target, path, id=path.stem, marks=[pytest.mark.xfail(strict=True, reason=known)]
                 if known else []) for target, path, known in REGRESSIONS])
def test_bad_inputs_51_inputs_once_found_failing_stay_clean(target: str, path: Path,
                                                           tmp_path: Path) -> None:
    fuzz_core.warm_up()
    name = path.name if target != "kpi" else "kpi_2026-10" + path.suffix
    if target == "attendance":
        name = "att_2026-10" + path.suffix
    outcome = fuzz_core.run_input(target, path.read_bytes(), name, tmp_path)
    note = path.with_suffix(".txt").read_text(encoding="utf-8")
    assert outcome.clean and outcome.peak_mb < fuzz_core.MEMORY_CAP_MB, (outcome, note)


def test_bad_inputs_51_regressions_are_kept(tmp_path: Path) -> None:
    """Each kept input has its note (how it was found, and the failure it was)."""
    assert REGRESSIONS, "tests/fuzz_regressions/ holds the inputs the fuzzer found failing"
    for _target, path, _known in REGRESSIONS:
        note = path.with_suffix(".txt").read_text(encoding="utf-8").splitlines()
        assert note[0].startswith("target: ") and note[1].startswith("found: ")
        assert any(line.startswith("failure: ") for line in note)
