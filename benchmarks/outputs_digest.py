"""Every output of the examples, as digests: to prove that a change of the code's structure
changes no byte of what cslevel writes or prints.

    python benchmarks/outputs_digest.py --out before.json [--cslevel PATH]
    python benchmarks/outputs_digest.py --out after.json
    python benchmarks/outputs_digest.py --compare before.json after.json

It runs, with the given cslevel executable (default: the one next to this Python), in a
work folder (`--work`; the paths printed are recorded relative to it, so two runs in two
folders compare):

- the star examples (examples/): a year scored in one command with attendance and roster,
  promote, the payroll as .xlsx and .csv, `payroll diff`, `history`; in Chinese and in
  English;
- the same year month by month with `cslevel run` in a workspace (the early reader, the
  payroll worker, the checkpoints), then the year's months again unchanged;
- every other template's examples (examples/<template>/: weighted, points, grade, grade_dc,
  grade_cba, tier, assistant): scored, promoted, paid, one agent's history.

Recorded: the SHA-256 of every file written, every command's exit code and output (JSON
documents with their time stamps taken out; console text as it is), and every table of the
history databases (time stamps and the runs' details taken out).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCHEMES = ["weighted", "points", "grade", "grade_dc", "grade_cba", "tier", "assistant"]
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
STAMP_KEYS = {"at", "started_at", "recorded_at", "scored_at", "applied_at", "locked_at"}
# tables a later schema added: recorded only when they hold rows, so that a digest of a
# history without them compares with one where they are empty
ADDED_TABLES = {"adjustments"}
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+00:00")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _strip(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _strip(v) for k, v in doc.items() if k not in STAMP_KEYS}
    if isinstance(doc, list):
        return [_strip(v) for v in doc]
    if isinstance(doc, str):
        return STAMP.sub("<time>", doc)
    return doc


class Digest:
    def __init__(self, cslevel: str, work: Path) -> None:
        self.cslevel = cslevel
        self.work = work
        self.record: dict[str, Any] = {}

    def run(self, key: str, args: list[str], cwd: Path, lang: str = "zh",
            **env: str) -> None:
        environment = {**os.environ, "CSLEVEL_LANG": lang, "CSLEVEL_DB": "", **env}
        environment.pop("CSLEVEL_TEST_FAULT", None)
        done = subprocess.run([self.cslevel, *args], cwd=cwd, env=environment,
                              capture_output=True, text=True, check=False)
        work = str(self.work)  # (any work folder: the paths printed read <work>/…)
        out: Any = done.stdout.replace(work, "<work>")
        if "--json" in args and out.strip():
            out = _strip(json.loads(out))
        else:
            out = STAMP.sub("<time>", out)
        self.record[key] = {"code": done.returncode, "out": out,
                            "err": STAMP.sub("<time>", done.stderr.replace(work, "<work>"))}

    def files(self, key: str, folder: Path) -> None:
        self.record[key] = {str(p.relative_to(folder)): _sha(p)
                            for p in sorted(folder.rglob("*")) if p.is_file()
                            and not p.name.endswith((".db", ".toml"))}

    def database(self, key: str, path: Path) -> None:
        con = sqlite3.connect(path)
        try:
            tables = sorted(t for t, in con.execute(
                "select name from sqlite_master where type = 'table'"))
            dump: dict[str, Any] = {}
            for table in tables:
                if table in ("runs", "schema_migrations", "output_files", "audit"):
                    continue
                cursor = con.execute(f'select * from "{table}"')
                names = [d[0] for d in cursor.description]
                keep = [i for i, n in enumerate(names) if n not in STAMP_KEYS]
                found = sorted(repr(tuple(row[i] for i in keep)) for row in cursor)
                if found or table not in ADDED_TABLES:  # (empty: as a history without it)
                    dump[table] = found
            self.record[key] = dump
        finally:
            con.close()


def star_backfill(d: Digest, lang: str) -> None:
    folder = d.work / f"star-{lang}"
    out = folder / "out"
    out.mkdir(parents=True)
    db = str(folder / "h.db")
    attendance = [a for f in sorted(EXAMPLES.glob("att_2026-*.xlsx"))
                  for a in ("--attendance", str(f))]
    kpi = [str(f) for f in sorted(EXAMPLES.glob("kpi_2026-*.xlsx"))]
    d.run(f"star-{lang} score", ["score", *kpi, *attendance, "--roster",
                                 str(EXAMPLES / "roster.xlsx"), "--scheme", "star", "--db", db,
                                 "--out", f"{out}/", "--json"], folder, lang)
    d.run(f"star-{lang} promote", ["promote", "--db", db, "--out", str(out / "moves.xlsx")],
          folder, lang)
    d.run(f"star-{lang} promote json", ["promote", "--db", db, "--as-of", "2026-06",
                                        "--dry-run", "--json"], folder, lang)
    for suffix in ("xlsx", "csv"):
        d.run(f"star-{lang} payroll {suffix}", ["payroll", "export", "--db", db, "--out",
                                                 str(out / f"payroll.{suffix}")], folder, lang)
    d.run(f"star-{lang} payroll json", ["payroll", "export", "--db", db, "--month", "2026-06",
                                        "--out", str(out / "payroll-06.xlsx"), "--json"],
          folder, lang)
    d.run(f"star-{lang} diff", ["payroll", "diff", "--db", db, "--month", "2026-09",
                                "--json"], folder, lang)
    d.run(f"star-{lang} diff text", ["payroll", "diff", "--db", db, "--month", "2026-09"],
          folder, lang)
    for agent in ("0001", "0008", "0040"):
        d.run(f"star-{lang} history {agent}", ["history", agent, "--db", db, "--json"],
              folder, lang)
    d.run(f"star-{lang} history text", ["history", "0037", "--db", db], folder, lang)
    d.files(f"star-{lang} files", out)
    d.database(f"star-{lang} database", folder / "h.db")


def star_workspace(d: Digest) -> None:
    folder = d.work / "workspace"
    d.run("workspace init", ["init", str(folder)], d.work)
    for month in MONTHS:
        for kind in ("kpi", "att"):
            shutil.copy(EXAMPLES / f"{kind}_{month}.xlsx", folder / "input")
    shutil.copy(EXAMPLES / "roster.xlsx", folder / "input")
    for month in MONTHS:
        d.run(f"run {month}", ["run", "--month", month, "--json"], folder)
    for month in ("2026-03", "2026-12"):
        d.run(f"run {month} again", ["run", "--month", month, "--json"], folder)
    d.run("run text", ["run", "--month", "2026-12"], folder)
    d.files("workspace files", folder / "output")
    d.database("workspace database", folder / "cslevel.db")


def schemes(d: Digest) -> None:
    for scheme in SCHEMES:
        folder = d.work / scheme
        out = folder / "out"
        out.mkdir(parents=True)
        db = str(folder / "h.db")
        examples = EXAMPLES / scheme
        extra = ["--profile", str(examples / "profile.xlsx")] if scheme == "points" else []
        kpi = [str(f) for f in sorted(examples.glob("kpi_2026-*.xlsx"))]
        extra += ["--roster", str(examples / "roster.xlsx")]
        d.run(f"{scheme} score", ["score", *kpi, *extra, "--scheme", scheme, "--db", db,
                                  "--out", f"{out}/", "--json"], folder)
        d.run(f"{scheme} promote", ["promote", "--db", db, "--out", str(out / "moves.xlsx"),
                                    "--json"], folder)
        d.run(f"{scheme} payroll", ["payroll", "export", "--db", db, "--out",
                                    str(out / "payroll.xlsx"), "--json"], folder)
        d.run(f"{scheme} payroll text", ["payroll", "export", "--db", db, "--out",
                                         str(out / "payroll.csv")], folder)
        d.run(f"{scheme} history", ["history", "0101", "--db", db, "--json"], folder)
        d.files(f"{scheme} files", out)
        d.database(f"{scheme} database", folder / "h.db")


def compare(before: Path, after: Path) -> int:
    a = json.loads(before.read_text(encoding="utf-8"))
    b = json.loads(after.read_text(encoding="utf-8"))
    differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    for key in differ:
        print(f"DIFFERS: {key}")
        left, right = a.get(key), b.get(key)
        if isinstance(left, dict) and isinstance(right, dict):
            for sub in sorted(set(left) | set(right)):
                if left.get(sub) != right.get(sub):
                    print(f"  {sub}: {str(left.get(sub))[:300]!r}\n    -> "
                          f"{str(right.get(sub))[:300]!r}")
    print(f"{len(a)} records compared: {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cslevel", default=str(Path(sys.executable).with_name("cslevel")))
    parser.add_argument("--work", type=Path, default=Path("/tmp/cslevel-digest/work"))
    parser.add_argument("--compare", nargs=2, type=Path)
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("give --out FILE or --compare BEFORE AFTER")
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    digest = Digest(args.cslevel, args.work)
    for lang in ("zh", "en"):
        star_backfill(digest, lang)
    star_workspace(digest)
    schemes(digest)
    args.out.write_text(json.dumps(digest.record, ensure_ascii=False, indent=1,
                                   sort_keys=True), encoding="utf-8")
    failed = [k for k, v in digest.record.items() if isinstance(v, dict) and v.get("code")]
    print(f"{len(digest.record)} records written to {args.out}; commands that failed: "
          f"{failed or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
