"""End-to-end benchmark: cslevel against its floor and against the naive stack, side by side.

    python benchmarks/run.py                      # 1,000, 10,000 and 30,000 agents, 36 months
    python benchmarks/run.py --quick              # 1,000 agents, one round: a smoke run
    python benchmarks/run.py --agents 10000 --rounds 3 --data /tmp/cslevel-bench

Input: examples/generate.py at scale (KPI + attendance workbooks for 36 months from 2024-01,
plus the roster), generated once per agent count and cached under --data (default: a folder in
the system temp dir; re-runs reuse it, a changed generator regenerates it).

Measured, each as a whole process (wall time, best of --rounds; peak memory = max RSS):

  A      `cslevel run --month 2026-12` in a workspace whose history already holds 2024-01 ..
         2026-11 (scored and promoted once, untimed); every round starts from a copy of that
         database, with the output folder emptied.
  B      the 36-month backfill on a fresh database: `cslevel score` of the 36 KPI workbooks with
         their attendance workbooks and the roster (36 results workbooks), then
         `cslevel promote --out moves.xlsx`; both processes timed together.
  floor  benchmarks/floor.py: python-calamine loading the same input sheets, plus xlsxwriter
         (constant_memory) writing workbooks with the same sheets, rows and columns as the ones
         cslevel wrote in A / B.
  naive  benchmarks/naive.py: pandas.read_excel(engine="openpyxl") for the same reads and
         DataFrame.to_excel(engine="openpyxl") for the same writes.
  R      `cslevel report` (issue 20) over B's history (every month, the whole centre), once to
         report.html and once to report.xlsx, after B in each round. `--report-only` builds
         that history once (untimed) and measures R alone.
  --help `cslevel --help`, median of 10 runs.
  S, P   (--simulate, or --only-simulate for this step alone) on a history of all the months,
         scored and never promoted (untimed): S = `cslevel simulate --scheme star-105.yaml
         --json` (the shipped star template with an up-threshold of 105), P = `cslevel promote`
         replaying the same history; each round on a fresh copy of that database.

Targets (issue): A and B within 1.3× of their floor and at least 2× faster than the naive
stack; `cslevel --help` under 0.25 s; peak memory of B under 600 MB (all at 10,000 agents);
cost linear in agents × months; R under 10 s with peak memory under 600 MB (10,000 agents ×
36 months, issue 20). Prints one table per size and a summary, and writes the same
as Markdown to benchmarks/results/latest.md (and the raw numbers to latest.json).

A cslevel command that fails is reported (its stderr printed) and marked failed; the other
measurements go on. Unix only (peak memory comes from os.wait4).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATOR = ROOT / "examples" / "generate.py"
START = "2024-01"
sys.path.insert(0, str(HERE))
import shapes

TARGET_FLOOR = 1.3  # A, B ≤ 1.3 × floor
TARGET_NAIVE = 2.0  # naive ≥ 2 × A, B
TARGET_HELP = 0.25  # s
TARGET_PEAK_B = 600  # MB
TARGET_SIZE = 10_000  # the scale: the targets are judged here
TARGET_SIMULATE = 1.5  # simulate ≤ 1.5 × a promote replay of the same history
TARGET_REPORT = 10.0  # s, `cslevel report` over 36 months (issue 20)
TARGET_PEAK_REPORT = 600  # MB
LINEAR_EXPONENT = 1.1  # time ∝ size^k between consecutive sizes, k ≤ 1.1 counts as linear


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# measuring one process
@dataclass
class Proc:
    wall: float
    cpu: float  # user + system seconds of the process
    rss_mb: float | None
    rc: int
    cmd: str
    stderr: str = ""


def measure(cmd: list[str], cwd: Path | None = None) -> Proc:
    """Run `cmd`, return its wall time, its own peak RSS (os.wait4) and its exit code."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        kib = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)  # macOS: bytes
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            out.seek(0)  # cslevel prints its problems on stdout
            stderr = out.read().decode("utf-8", "replace")[-3000:] + stderr[-3000:]
    short = " ".join(str(c) for c in cmd[:4]) + (" …" if len(cmd) > 4 else "")
    return Proc(wall, usage.ru_utime + usage.ru_stime, kib / 1024, proc.returncode, short,
                stderr)


@dataclass
class Measure:
    """Rounds of one measured step (one or more processes timed together)."""

    label: str
    times: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    proc_peaks: list[list[float]] = field(default_factory=list)  # per round, per process
    failures: list[str] = field(default_factory=list)
    note: str = ""

    def add(self, procs: list[Proc]) -> bool:
        bad = [p for p in procs if p.rc != 0]
        if bad:
            p = bad[0]
            message = f"{self.label}: `{p.cmd}` exited with {p.rc}"
            log(f"FAILED {message}\n{p.stderr.strip()}")
            last = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
            self.failures.append(f"{message}: {last}")
            return False
        self.times.append(sum(p.wall for p in procs))
        self.cpus.append(sum(p.cpu for p in procs))
        self.peaks.append(max(p.rss_mb or 0 for p in procs))
        self.proc_peaks.append([p.rss_mb or 0 for p in procs])
        return True

    @property
    def best(self) -> float | None:
        return min(self.times) if self.times else None

    @property
    def best_cpu(self) -> float | None:
        return min(self.cpus) if self.cpus else None

    @property
    def peak(self) -> float | None:
        return max(self.peaks) if self.peaks else None

    def row(self) -> dict[str, Any]:
        return {"label": self.label, "best_s": self.best, "rounds_s": self.times,
                "best_cpu_s": self.best_cpu, "rounds_cpu_s": self.cpus,
                "peak_mb": self.peak, "proc_peaks_mb": self.proc_peaks,
                "failures": self.failures, "note": self.note}


# ------------------------------------------------------------------------------------------
# data
def month_list(count: int) -> list[str]:
    year, month = map(int, START.split("-"))
    out = []
    for i in range(count):
        y, m = divmod(month - 1 + i, 12)
        out.append(f"{year + y}-{m + 1:02d}")
    return out


def generator_hash() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def ensure_data(root: Path, agents: int, months: int) -> Path:
    folder = root / f"agents{agents}-months{months}-from{START}"
    marker = folder / "complete.json"
    key = {"agents": agents, "months": months, "start": START, "generator": generator_hash()}
    if marker.exists():
        try:
            if json.loads(marker.read_text()) == key:
                log(f"data: reusing {folder}")
                return folder
        except ValueError:
            pass
        log(f"data: {folder} is from another generator version; regenerating")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    log(f"data: generating {agents:,} agents × {months} months into {folder} …")
    start = time.perf_counter()
    subprocess.run([sys.executable, str(GENERATOR), "--agents", str(agents), "--months",
                    str(months), "--start", START, "--out", str(partial)], check=True,
                   stdout=subprocess.DEVNULL)
    partial.rename(folder)
    marker.write_text(json.dumps(key))
    log(f"data: generated in {time.perf_counter() - start:.0f} s")
    return folder


def inputs(data: Path, months: list[str]) -> tuple[list[Path], list[Path], Path]:
    kpi = [data / f"kpi_{m}.xlsx" for m in months]
    att = [data / f"att_{m}.xlsx" for m in months]
    return kpi, att, data / "roster.xlsx"


# ------------------------------------------------------------------------------------------
# cslevel
def cslevel_exe() -> str:
    exe = Path(sys.executable).parent / "cslevel"
    if exe.exists():
        return str(exe)
    found = shutil.which("cslevel")
    if not found:
        sys.exit("cslevel is not installed next to this Python (pip install -e .)")
    return found


def compile_cslevel() -> None:
    """Byte-compile the cslevel package, as `pip install .` does: an editable install (or
    PYTHONDONTWRITEBYTECODE=1) would otherwise compile every module again in every process
    measured, about 0.3 s each time."""
    found = subprocess.run([sys.executable, "-c",
                            "import cslevel, os; print(os.path.dirname(cslevel.__file__))"],
                           capture_output=True, text=True, check=False)
    if found.returncode == 0:
        subprocess.run([sys.executable, "-m", "compileall", "-q", found.stdout.strip()],
                       check=False, stdout=subprocess.DEVNULL)


def toml_str(path: Path) -> str:
    return json.dumps(str(path), ensure_ascii=False)  # a valid TOML basic string


MINIMAL_TOML = """scheme = "star"
language = "zh"

[input]
folder = "input"
kpi = ["kpi_{month}*.xlsx"]
attendance = ["att_{month}*.xlsx"]
roster = ""
profile = ""

[output]
folder = "output"

[database]
url = "cslevel.db"
"""


def configure(ws: Path, data: Path) -> None:
    """Point the workspace's cslevel.toml at the data folder, its roster and a SQLite file."""
    config = ws / "cslevel.toml"
    text = config.read_text(encoding="utf-8") if config.exists() else MINIMAL_TOML
    wanted = {("input", "folder"): toml_str(data),
              ("input", "roster"): toml_str(data / "roster.xlsx"),
              ("output", "folder"): toml_str(ws / "output"),
              ("database", "url"): toml_str(ws / "cslevel.db")}
    section, lines = "", []
    for line in text.splitlines():
        head = re.match(r"\s*\[([^\]]+)\]", line)
        if head:
            section = head.group(1).strip()
        key = re.match(r"\s*([A-Za-z_]+)\s*=", line)
        if key and (section, key.group(1)) in wanted:
            line = f"{key.group(1)} = {wanted[(section, key.group(1))]}"
        lines.append(line)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = tomllib.loads(config.read_text(encoding="utf-8"))
    assert parsed["input"]["folder"] == str(data), parsed
    assert parsed["database"]["url"] == str(ws / "cslevel.db"), parsed


def score_cmd(exe: str, kpi: list[Path], att: list[Path], roster: Path, db: Path,
              out: Path) -> list[str]:
    cmd = [exe, "score", *map(str, kpi)]
    for path in att:
        cmd += ["--attendance", str(path)]
    return cmd + ["--roster", str(roster), "--scheme", "star", "--db", str(db),
                  "--out", str(out) + os.sep]


def clear(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def remove_db(db: Path) -> None:
    clear(*(db.with_name(db.name + s) for s in ("", "-wal", "-shm", "-journal")))


# ------------------------------------------------------------------------------------------
def bench_size(agents: int, n_months: int, args: argparse.Namespace, exe: str) -> dict[str, Any]:
    months = month_list(n_months)
    data = ensure_data(args.data, agents, n_months)
    kpi, att, roster = inputs(data, months)
    work = args.work / f"agents{agents}"
    clear(work)
    work.mkdir(parents=True)
    result: dict[str, Any] = {"agents": agents, "months": n_months, "data": str(data)}
    started = time.perf_counter()

    # ---- workspace for A: history of months 1 .. n-1, untimed --------------------------
    ws = work / "ws"
    init = measure([exe, "init", str(ws), "--scheme", "star"])
    if init.rc != 0:
        log(f"`cslevel init` failed ({init.rc}); writing a minimal cslevel.toml\n{init.stderr}")
        for sub in ("input", "output"):
            (ws / sub).mkdir(parents=True, exist_ok=True)
    configure(ws, data)
    db, base = ws / "cslevel.db", work / "base.db"
    log(f"{agents:,}: backfill of {months[0]} .. {months[-2]} for A (untimed) …")
    backfill = Measure(f"backfill {months[0]}..{months[-2]} (setup of A, info)")
    backfill.add([measure(score_cmd(exe, kpi[:-1], att[:-1], roster, db, work / "backfill"))])
    if backfill.times:
        backfill.add([measure([exe, "promote", "--db", str(db)])])
        if len(backfill.times) == 2:  # the two processes are one step
            backfill.times = [sum(backfill.times)]
            backfill.cpus = [sum(backfill.cpus)]
            backfill.peaks = [max(backfill.peaks)]
    clear(work / "backfill")
    have_base = db.exists() and bool(backfill.times)  # scored, even if promote failed
    if have_base:
        shutil.copy2(db, base)
    log(f"{agents:,}: backfill {backfill.best or float('nan'):.1f} s")

    month = months[-1]
    m_a = Measure(f"A: cslevel run --month {month}")
    m_b = Measure(f"B: score {n_months} months + promote")
    floor_a, naive_a = Measure("floor A"), Measure("naive A")
    floor_b, naive_b = Measure("floor B"), Measure("naive B")
    r_html = Measure("R: cslevel report --out report.html")
    r_xlsx = Measure("R: cslevel report --out report.xlsx")
    spec_a = spec_b = None
    cache_a, cache_b = data / "shapes-A.json", data / "shapes-B.json"
    scratch = work / "scratch"
    a_reads = [kpi[-1], att[-1], roster]
    b_reads = [*kpi, *att, roster]

    def stack(script: str, spec: Path, reads: list[Path], into: Measure) -> None:
        clear(scratch)
        into.add([measure([sys.executable, str(HERE / script), "--shapes", str(spec),
                           "--out", str(scratch), *map(str, reads)])])
        clear(scratch)

    def shapes_for(outputs: list[Path], cache: Path, current: Path | None,
                   step: Measure) -> Path | None:
        if current is not None:
            return current
        if outputs and all(p.exists() for p in outputs):
            spec = shapes.describe(outputs)
            path = work / cache.name
            path.write_text(json.dumps(spec, ensure_ascii=False))
            shutil.copy2(path, cache)  # a fallback for a later run where cslevel fails
            step.note = shapes.summary(spec)
            return path
        if cache.exists():
            step.note = "(output shapes from an earlier run: " + shapes.summary(
                shapes.load(cache)) + ")"
            return cache
        return None

    for r in range(args.rounds):
        naive_round = r < args.naive_rounds
        done = {"A": "failed", "B": "failed"}
        # ---- A --------------------------------------------------------------------------
        if have_base:
            log(f"{agents:,}: round {r + 1}/{args.rounds}: A …")
            remove_db(db)
            shutil.copy2(base, db)
            clear(ws / "output")
            (ws / "output").mkdir()
            ok = m_a.add([measure([exe, "run", "--month", month, "--config",
                                   str(ws / "cslevel.toml")], cwd=ws)])
            done["A"] = f"{m_a.times[-1]:.2f} s" if ok else "failed"
            outs = sorted((ws / "output").glob("*.xlsx")) if ok else []
            spec_a = shapes_for(outs, cache_a, spec_a, m_a)
        else:
            m_a.failures.append("no backfilled history (the backfill failed)")
            spec_a = shapes_for([], cache_a, spec_a, m_a)
        if spec_a is not None:
            log(f"{agents:,}: round {r + 1}: floor A, naive A …")
            stack("floor.py", spec_a, a_reads, floor_a)
            if naive_round:
                stack("naive.py", spec_a, a_reads, naive_a)
        # ---- B --------------------------------------------------------------------------
        log(f"{agents:,}: round {r + 1}/{args.rounds}: B …")
        b = work / "b"
        clear(b)
        b.mkdir()
        procs = [measure(score_cmd(exe, kpi, att, roster, b / "cslevel.db", b / "results"))]
        if procs[0].rc == 0:
            procs.append(measure([exe, "promote", "--db", str(b / "cslevel.db"), "--out",
                                  str(b / "moves.xlsx")]))
        ok = m_b.add(procs)
        done["B"] = f"{m_b.times[-1]:.2f} s" if ok else "failed"
        if procs[0].rc == 0:
            log(f"{agents:,}: round {r + 1}: R …")
            report_rounds(exe, b / "cslevel.db", b, r_html, r_xlsx)
        outs = [*sorted((b / "results").glob("*.xlsx")), b / "moves.xlsx"] if ok else []
        spec_b = shapes_for(outs, cache_b, spec_b, m_b)
        clear(b)
        if spec_b is not None:
            log(f"{agents:,}: round {r + 1}: floor B, naive B …")
            stack("floor.py", spec_b, b_reads, floor_b)
            if naive_round:
                stack("naive.py", spec_b, b_reads, naive_b)
        log(f"{agents:,}: round {r + 1}: A {done['A']}, B {done['B']}")

    clear(work)
    result["elapsed_s"] = time.perf_counter() - started
    result["steps"] = {k: m.row() for k, m in {
        "A": m_a, "floor_A": floor_a, "naive_A": naive_a, "B": m_b, "floor_B": floor_b,
        "naive_B": naive_b, "backfill": backfill, "report_html": r_html,
        "report_xlsx": r_xlsx}.items()}
    return result


def what_if_template(folder: Path) -> Path:
    """The shipped star template with an up-threshold of 105 instead of 110."""
    text = (ROOT / "templates" / "star.yaml").read_text(encoding="utf-8")
    changed, count = re.subn(r"^(  up_threshold:) 110\b", r"\1 105", text, flags=re.MULTILINE)
    assert count == 1, "templates/star.yaml: no `up_threshold: 110` line"
    path = folder / "star-105.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


def bench_simulate(agents: int, n_months: int, args: argparse.Namespace,
                   exe: str) -> dict[str, Any]:
    """S (`cslevel simulate`) against P (`cslevel promote`) on the same history, round by
    round, each on a fresh copy of a history scored once (untimed, never promoted: promote
    then replays it in full, as simulate does)."""
    months = month_list(n_months)
    data = ensure_data(args.data, agents, n_months)
    kpi, att, roster = inputs(data, months)
    work = args.work / f"simulate{agents}"
    clear(work)
    work.mkdir(parents=True)
    base, db = work / "base.db", work / "cslevel.db"
    log(f"{agents:,}: history of {months[0]} .. {months[-1]} for simulate (untimed) …")
    setup = Measure(f"score {n_months} months (setup, info)")
    setup.add([measure(score_cmd(exe, kpi, att, roster, base, work / "results"))])
    clear(work / "results")
    template = what_if_template(work)
    m_s = Measure(f"S: cslevel simulate --scheme {template.name}")
    m_p = Measure("P: cslevel promote")
    if setup.times:
        for r in range(args.rounds):
            for step, cmd in ((m_p, [exe, "promote", "--db", str(db)]),
                              (m_s, [exe, "simulate", "--scheme", str(template), "--db",
                                     str(db), "--json"])):
                remove_db(db)
                shutil.copy2(base, db)
                step.add([measure(cmd)])
            log(f"{agents:,}: round {r + 1}/{args.rounds}: P {fmt(m_p.times[-1] if m_p.times else None)} s, "
                f"S {fmt(m_s.times[-1] if m_s.times else None)} s")
    else:
        m_s.failures.append("no history (the scoring failed)")
    clear(work)
    return {"agents": agents, "months": n_months,
            "steps": {"setup": setup.row(), "S": m_s.row(), "P": m_p.row()}}


def simulate_table(runs: list[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        s, p = run["steps"]["S"], run["steps"]["P"]
        r = ratio(s["best_s"], p["best_s"])
        rows.append([fmt(run["agents"]), fmt(p["best_s"]), fmt(s["best_s"]), fmt(r),
                     ", ".join(f"{t:.2f}" for t in p["rounds_s"]) or "—",
                     ", ".join(f"{t:.2f}" for t in s["rounds_s"]) or "—",
                     fmt(ratio(s["best_cpu_s"], p["best_cpu_s"])), fmt(s["peak_mb"], 0),
                     fmt(p["peak_mb"], 0),
                     "—" if r is None else ("✓" if r <= TARGET_SIMULATE else "✗")])
    return table(["agents", "P promote (s)", "S simulate (s)", "S/P",
                  "P rounds (s)", "S rounds (s)", "S/P CPU", "peak S MB", "peak P MB",
                  f"S ≤ {TARGET_SIMULATE}× P"], rows)


def report_rounds(exe: str, db: Path, folder: Path, html: Measure, xlsx: Measure) -> None:
    """One round of R: `cslevel report` of the whole history, to .html then to .xlsx."""
    for measure_into, name in ((html, "report.html"), (xlsx, "report.xlsx")):
        clear(folder / name)
        measure_into.add([measure([exe, "report", "--db", str(db), "--out",
                                   str(folder / name)])])
        clear(folder / name)


def bench_report(agents: int, n_months: int, args: argparse.Namespace,
                 exe: str) -> dict[str, Any]:
    """--report-only: the history of every month built once (untimed), then R, --rounds
    times."""
    months = month_list(n_months)
    data = ensure_data(args.data, agents, n_months)
    kpi, att, roster = inputs(data, months)
    work = args.work / f"agents{agents}-report"
    clear(work)
    work.mkdir(parents=True)
    started = time.perf_counter()
    log(f"{agents:,}: the history of {months[0]} .. {months[-1]} (untimed) …")
    setup = Measure(f"history of {n_months} months: score + promote (setup of R, info)")
    setup.add([measure(score_cmd(exe, kpi, att, roster, work / "cslevel.db", work / "results"))])
    setup.add([measure([exe, "promote", "--db", str(work / "cslevel.db")])])
    clear(work / "results")
    r_html = Measure("R: cslevel report --out report.html")
    r_xlsx = Measure("R: cslevel report --out report.xlsx")
    for r in range(args.rounds):
        log(f"{agents:,}: round {r + 1}/{args.rounds}: R …")
        report_rounds(exe, work / "cslevel.db", work, r_html, r_xlsx)
    clear(work)
    empty = {k: Measure(k) for k in ("A", "floor_A", "naive_A", "B", "floor_B", "naive_B")}
    return {"agents": agents, "months": n_months, "data": str(data),
            "elapsed_s": time.perf_counter() - started,
            "steps": {**{k: m.row() for k, m in empty.items()}, "backfill": setup.row(),
                      "report_html": r_html.row(), "report_xlsx": r_xlsx.row()}}


# ------------------------------------------------------------------------------------------
# report
def fmt(value: Any, digits: int = 2) -> str:
    if value is None or value == [] or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """A Markdown table padded so that it also reads well in a terminal."""
    right = right if right is not None else set(range(1, len(headers)))
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def numbers(size: dict[str, Any], key: str = "best_s") -> dict[str, float | None]:
    """Best times and their ratios; key="best_cpu_s" for CPU seconds instead of wall."""
    s = size["steps"]
    best = {k: v[key] for k, v in s.items()}
    cells = size["agents"] * size["months"]
    return {
        **best,
        "A/floor": ratio(best["A"], best["floor_A"]),
        "naive/A": ratio(best["naive_A"], best["A"]),
        "B/floor": ratio(best["B"], best["floor_B"]),
        "naive/B": ratio(best["naive_B"], best["B"]),
        "peak_A": s["A"]["peak_mb"], "peak_B": s["B"]["peak_mb"],
        "us_B": best["B"] / cells * 1e6 if best["B"] else None,
        "us_A": best["A"] / size["agents"] * 1e6 if best["A"] else None,
        "peak_R": max((p for k in ("report_html", "report_xlsx")
                       if (p := s.get(k, {}).get("peak_mb")) is not None), default=None),
    }


def size_table(size: dict[str, Any]) -> str:
    s = size["steps"]
    rows = []
    for key in ("A", "floor_A", "naive_A", "B", "floor_B", "naive_B", "backfill",
                "report_html", "report_xlsx"):
        if key not in s:  # a result from before R was measured
            continue
        step = s[key]
        rounds = ", ".join(f"{t:.2f}" for t in step["rounds_s"])
        cpu = ", ".join(f"{t:.2f}" for t in step["rounds_cpu_s"])
        status = f"FAILED ×{len(step['failures'])}" if step["failures"] else "ok"
        if not step["rounds_s"] and not step["failures"]:
            status = "not run"
        rows.append([step["label"], fmt(step["best_s"]), rounds or "—", cpu or "—",
                     fmt(step["peak_mb"], 0), status])
    n, c = numbers(size), numbers(size, "best_cpu_s")
    took = f" ({size['elapsed_s'] / 60:.1f} min)" if size.get("elapsed_s") else ""
    out = [f"### {size['agents']:,} agents × {size['months']} months{took}", "",
           table(["step", "best wall (s)", "rounds, wall (s)", "rounds, CPU (s)", "peak MB",
                  "status"], rows, {1, 4}), "",
           (f"Wall: A/floor {fmt(n['A/floor'])} · naive/A {fmt(n['naive/A'])} · "
            f"B/floor {fmt(n['B/floor'])} · naive/B {fmt(n['naive/B'])} · "
            f"B {fmt(n['us_B'], 1)} µs per agent-month · A {fmt(n['us_A'], 1)} µs per agent.  "),
           (f"CPU: A/floor {fmt(c['A/floor'])} · naive/A {fmt(c['naive/A'])} · "
            f"B/floor {fmt(c['B/floor'])} · naive/B {fmt(c['naive/B'])}.")]
    peaks = s["B"].get("proc_peaks_mb") or []
    if peaks:
        out[-1] += "  "
        out.append("Peak MB of B by process (score, promote), per round: " + "; ".join(
            " / ".join(f"{x:,.0f}" for x in r) for r in peaks) + ".")
    notes = [(s[k]["label"], s[k]["note"]) for k in ("A", "B") if s[k]["note"]]
    if notes:
        out += ["", ("Output shapes written by the floor and the naive stack (rows×columns "
                     "per sheet):"), ""]
        out += [f"- {label}: {note}" for label, note in notes]
    fails = [f for k in s for f in s[k]["failures"]]
    if fails:
        out += ["", "Failures:", ""] + [f"- {f}" for f in fails]
    return "\n".join(out)


def summary_table(sizes: list[dict[str, Any]], key: str = "best_s") -> str:
    unit = "s" if key == "best_s" else "CPU s"
    headers = ["agents", f"A ({unit})", "floor A", "naive A", "A/floor", "naive/A",
               f"B ({unit})", "floor B", "naive B", "B/floor", "naive/B"]
    if key == "best_s":
        headers += ["peak A MB", "peak B MB", "B µs/agent·month"]
    rows = []
    for size in sizes:
        n = numbers(size, key)
        row = [fmt(size["agents"]), fmt(n["A"]), fmt(n["floor_A"]), fmt(n["naive_A"]),
               fmt(n["A/floor"]), fmt(n["naive/A"]), fmt(n["B"]), fmt(n["floor_B"]),
               fmt(n["naive_B"]), fmt(n["B/floor"]), fmt(n["naive/B"])]
        if key == "best_s":
            row += [fmt(n["peak_A"], 0), fmt(n["peak_B"], 0), fmt(n["us_B"], 1)]
        rows.append(row)
    return table(headers, rows)


def verdicts(sizes: list[dict[str, Any]], help_s: float | None) -> list[tuple[str, str, Any]]:
    """(target, measured, holds) — holds is True, False or None (not measured)."""
    at = next((s for s in sizes if s["agents"] == TARGET_SIZE), sizes[-1] if sizes else None)
    out: list[tuple[str, str, Any]] = []
    where = f" at {at['agents']:,} agents" if at else ""
    n = numbers(at) if at else {}

    def check(name: str, value: float | None, ok: bool | None, shown: str) -> None:
        out.append((name + where if where and "--help" not in name else name,
                    shown if value is not None else "not measured",
                    ok if value is not None else None))

    for x in ("A", "B"):
        r, q = n.get(f"{x}/floor"), n.get(f"naive/{x}")
        check(f"{x} ≤ {TARGET_FLOOR}× its floor", r, r is not None and r <= TARGET_FLOOR,
              f"{fmt(r)}×")
        check(f"{x} ≥ {TARGET_NAIVE:g}× faster than naive", q, q is not None and q >= TARGET_NAIVE,
              f"{fmt(q)}×")
    check(f"`cslevel --help` < {TARGET_HELP} s", help_s,
          help_s is not None and help_s < TARGET_HELP, f"{fmt(help_s, 3)} s")
    p = n.get("peak_B")
    check(f"peak memory of B < {TARGET_PEAK_B} MB", p, p is not None and p < TARGET_PEAK_B,
          f"{fmt(p, 0)} MB")
    for key, label in (("report_html", "R (.html)"), ("report_xlsx", "R (.xlsx)")):
        t = n.get(key)
        check(f"{label} < {TARGET_REPORT:g} s", t, t is not None and t < TARGET_REPORT,
              f"{fmt(t)} s")
    p = n.get("peak_R")
    check(f"peak memory of R < {TARGET_PEAK_REPORT} MB", p,
          p is not None and p < TARGET_PEAK_REPORT, f"{fmt(p, 0)} MB")
    # linear: between consecutive sizes, time ∝ size^k with k ≤ LINEAR_EXPONENT
    for x in ("B", "A"):
        pts: list[tuple[int, float]] = [
            (s["agents"], t) for s in sizes if (t := numbers(s)[x]) is not None]
        if len(pts) < 2:
            out.append((f"{x} linear in agents × months", "needs two sizes", None))
            continue
        pairs = list(itertools.pairwise(pts))
        ks = [math.log(t2 / t1) / math.log(n2 / n1) for (n1, t1), (n2, t2) in pairs]
        shown = ", ".join(f"{n1 // 1000}k→{n2 // 1000}k: k={k:.2f}"
                          for ((n1, _), (n2, _)), k in zip(pairs, ks, strict=True))
        if pts[-1][0] <= TARGET_SIZE:
            shown += " (start-up dominates at 1k: run 30k for the real slope)"
        out.append((f"{x} linear in agents (time ∝ agents^k, k ≤ {LINEAR_EXPONENT})", shown,
                    all(k <= LINEAR_EXPONENT for k in ks)))
    return out


def machine() -> str:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    try:
        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
    except OSError:
        cpu = platform.processor()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs ({cpu}), {platform.platform()}, Python "
            f"{platform.python_version()}; cslevel {version('cslevel')}, python-calamine "
            f"{version('python-calamine')}, xlsxwriter {version('xlsxwriter')}, pandas "
            f"{version('pandas')}, openpyxl {version('openpyxl')}; load average at the end "
            f"{load}")


def report(sizes: list[dict[str, Any]], help_runs: list[float], help_failed: str | None,
           args: argparse.Namespace, elapsed: float) -> str:
    help_s = statistics.median(help_runs) if help_runs else None
    marks = {True: "✓", False: "✗", None: "—"}
    command = " ".join(["python benchmarks/run.py", *args.argv])
    parts = [
        "# cslevel benchmark (benchmarks/run.py)", "",
        f"{datetime.now():%Y-%m-%d %H:%M}, `{command}`, {elapsed / 60:.1f} min.", "",
        f"Machine: {machine()}; at the start {args.load_start}.", "",
        (f"Times are wall seconds of whole processes, best of {args.rounds} round(s) "
         f"({args.naive_rounds} for the naive stack); peak MB is the largest max-RSS of the "
         "step's processes over its rounds. A = `cslevel run` of the last month on a history "
         "of the months before it; B = `cslevel score` of every month + `cslevel promote` on "
         "a fresh database; floor = python-calamine reads + xlsxwriter (constant_memory) "
         "writes of the same sizes; naive = pandas.read_excel + DataFrame.to_excel with "
         "openpyxl."), "",
        "## Summary (wall time: what the targets are judged on)", "", summary_table(sizes), "",
        ("The same in CPU seconds (user + system of the processes; less sensitive to other "
         "load on the machine):"), "", summary_table(sizes, "best_cpu_s"), "",
        f"`cslevel --help`: median {fmt(help_s, 3)} s of {len(help_runs)} runs (CPU: median "
        f"{fmt(statistics.median(args.help_cpu) if args.help_cpu else None, 3)} s)"
        + (f" (FAILED: {help_failed})" if help_failed else "") + ".", "",
        "## Targets", "",
        table(["target", "measured", ""],
              [[t, m, marks[ok]] for t, m, ok in verdicts(sizes, help_s)], set()), "",
        "## Per size", "",
    ]
    if not sizes:  # --only-simulate: none of A, B, the floors or the naive stack
        help_line = next(p for p in parts if p.startswith("`cslevel --help`"))
        parts = [*parts[:6], help_line, ""]
    for size in sizes:
        parts += [size_table(size), ""]
    if args.simulations:
        parts += ["## What-if: `cslevel simulate` against a `promote` replay", "",
                  (f"Best of {args.rounds} round(s), wall seconds; each process on a fresh copy "
                   "of a history of every month, scored and never promoted."), "",
                  simulate_table(args.simulations), ""]
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", default="1000,10000,30000",
                        help="comma-separated agent counts (default 1000,10000,30000)")
    parser.add_argument("--months", type=int, default=36, help="months (default 36)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per step, best kept "
                                                              "(default 3)")
    parser.add_argument("--naive-rounds", type=int, default=None,
                        help="rounds of the naive stack (default: --rounds; 0 = skip it)")
    parser.add_argument("--quick", action="store_true", help="1,000 agents, one round")
    parser.add_argument("--simulate", action="store_true",
                        help="also time `cslevel simulate` against `cslevel promote` (S, P)")
    parser.add_argument("--only-simulate", action="store_true",
                        help="time S and P only (no A, B, floors or naive stack)")
    parser.add_argument("--report-only", action="store_true",
                        help="measure only `cslevel report` (R) on a history built once")
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "cslevel-bench" / "data",
                        help="cache of generated workbooks (default: %(default)s)")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "cslevel-bench" / "work",
                        help="scratch folder: workspaces, databases, outputs")
    parser.add_argument("--cslevel", default=None,
                        help="cslevel executable (default: the one next to this Python)")
    parser.add_argument("--results", type=Path, default=HERE / "results" / "latest.md",
                        help="Markdown report (default: benchmarks/results/latest.md)")
    args = parser.parse_args(argv)
    args.argv = argv
    args.help_cpu = []
    args.simulations = []
    if args.quick:
        args.agents, args.rounds = "1000", 1
    args.naive_rounds = min(args.rounds, args.rounds if args.naive_rounds is None
                            else args.naive_rounds)
    agent_counts = [int(x) for x in args.agents.split(",") if x.strip()]
    args.data, args.work = args.data.resolve(), args.work.resolve()
    exe = args.cslevel or cslevel_exe()
    started = time.perf_counter()

    compile_cslevel()
    log("cslevel --help ×10 …")
    args.load_start = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    help_runs: list[float] = []
    help_failed = None
    for _ in range(10):
        p = measure([exe, "--help"])
        if p.rc != 0:
            help_failed = f"exit {p.rc}: {p.stderr.strip()[-300:]}"
            log(f"FAILED cslevel --help\n{p.stderr}")
            break
        help_runs.append(p.wall)
        args.help_cpu.append(p.cpu)

    sizes = []
    for agents in agent_counts:
        if args.report_only or not args.only_simulate:
            bench = bench_report if args.report_only else bench_size
            sizes.append(bench(agents, args.months, args, exe))
            print(f"\n{size_table(sizes[-1])}\n", flush=True)
        if args.simulate or args.only_simulate:
            args.simulations.append(bench_simulate(agents, args.months, args, exe))
            print(f"\n{simulate_table(args.simulations[-1:])}\n", flush=True)
        partial = report(sizes, help_runs, help_failed, args, time.perf_counter() - started)
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(partial + "\n", encoding="utf-8")  # kept if a later size dies

    text = report(sizes, help_runs, help_failed, args, time.perf_counter() - started)
    print(text)
    args.results.write_text(text + "\n", encoding="utf-8")
    args.results.with_suffix(".json").write_text(json.dumps(
        {"help_runs_s": help_runs, "help_cpu_s": args.help_cpu, "sizes": sizes,
         "simulate": args.simulations, "machine": machine()}, indent=1,
        ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {args.results} in {(time.perf_counter() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
