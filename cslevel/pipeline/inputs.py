"""A workspace's input folder: which files are a month's KPI and attendance workbooks, and
why each other file is not taken.

The patterns of `cslevel.toml` (input.kpi, input.attendance) win when they match; else each
file is looked at (`read.identify`): its month and kind from its name (2026年11月绩效.xlsx,
11月考勤.xls, 202611考勤.csv), and only when the name leaves one unsaid, from its first rows
(a title, a 统计日期 line, a month column, the header's labels). Lock files, hidden files,
cslevel's own staged files and outputs are never taken. A file's look is taken once per
`InputFolder` (a run of several months looks at each file once).

Input: the settings and the template. Output: `MonthFiles` (the month's files, or the
problems that say which files were not taken and why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..finish import PREFIX as STAGED_PREFIX
from ..i18n import N_, Labels, _
from ..read.attendance import DAILY_REPORT
from ..records import CslevelError, Month, Problem, Source

if TYPE_CHECKING:
    from ..config import Config
    from ..read.identify import FileLook, Kind
    from ..templates import Scheme

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv", ".tsv", ".txt"}
_OUTPUT_NAME = re.compile(r"^(results|moves|payroll)-\d{4}-\d{2}\.(xlsx|csv)$", re.IGNORECASE)
# the attendance apps' daily reports (企业微信 上下班打卡_日报, 钉钉 每日统计) are not a month's
# totals, but a monthly report's name may say 打卡 too
_MONTHLY_NAME = re.compile(r"月报|月度汇总")
NOT_THERE = Labels({"roster": N_("the roster named in the settings is not there"),
                    "profile": N_("the profile named in the settings is not there")})
NAMED = Labels({"roster": N_("the roster named in {settings}"),
                "profile": N_("the profile named in {settings}")})
KIND_NAMES = Labels({"kpi": N_("KPI workbook"), "attendance": N_("attendance workbook")})


@dataclass(frozen=True)
class Passed:
    """A file of the input folder that is not taken, and why (both in the language in force)."""

    path: Path
    why: str
    hint: str = ""

    def problem(self) -> Problem:
        return Problem(self.why, Source(self.path.name), "warning", self.hint)


@dataclass
class MonthFiles:
    month: Month
    kpi: list[Path] = field(default_factory=list)
    attendance: list[Path] = field(default_factory=list)
    pay_inputs: list[Path] = field(default_factory=list)  # input.pay_inputs' files
    passed: list[Passed] = field(default_factory=list)
    several: list[Path] = field(default_factory=list)  # candidates of one kind, none taken
    problems: list[Problem] = field(default_factory=list)  # (errors: the month cannot run)


class InputFolder:
    """The files of a workspace's input folder, each looked at once."""

    def __init__(self, config: Config, scheme: Scheme) -> None:
        from ..read import attendance_fields, kpi_fields, roster_fields

        self.config = config
        self.fields: dict[Kind, dict[str, list[str]]] = {
            "kpi": kpi_fields(scheme), "attendance": attendance_fields(scheme),
            "roster": roster_fields(scheme)}
        self._looks: dict[tuple[Path, int], FileLook | Passed] = {}

    def paths(self) -> list[Path]:
        folder = self.config.input_folder
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if not p.is_dir())

    def never(self, path: Path) -> Passed | None:
        """Why a file is never a month's input, whatever its month and kind."""
        name = path.name
        if name.startswith("~$"):
            return Passed(path, _("a lock file of Excel/WPS (the workbook is open)"),
                          _("Not read; it goes away when the workbook is closed."))
        if name.startswith(STAGED_PREFIX):
            return Passed(path, _("a file cslevel was writing when a run stopped"),
                          _("Not read; the next run removes it."))
        if name.startswith("."):
            return Passed(path, _("a hidden file"), _("Not read."))
        if _OUTPUT_NAME.match(name):
            return Passed(path, _("a file cslevel writes (an output)"),
                          _("Not read; outputs belong in the output folder."))
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            return Passed(path, _("not a workbook ({suffix})").format(
                suffix=path.suffix or _("no extension")),
                _("Only .xlsx, .xls, .et, .ods, .csv files are read."))
        if DAILY_REPORT.search(name) and not _MONTHLY_NAME.search(name):
            return Passed(path, _("a daily report of the attendance app (日报, 每日统计)"),
                          _("Not read; cslevel reads the month's report: DingTalk 月度汇总 or "
                            "WeCom 上下班打卡_月报."))
        for key, named in (("roster", self.config.roster), ("profile", self.config.profile)):
            if named is not None and path.resolve() == named:
                return Passed(path, NAMED[key].format(settings=self.config.path.name),
                              _("Read as input.{key}, not as a month's workbook.").format(
                                  key=key))
        return None

    def look(self, path: Path, year: int) -> FileLook | Passed:
        """The month and kind of a file (months named without a year are in `year`), or why
        it cannot be told."""
        from ..read.identify import look

        key = (path, year)
        if key not in self._looks:
            try:
                self._looks[key] = look(path, year, self.fields)
            except CslevelError as exc:
                self._looks[key] = Passed(
                    path, _("cannot be read: {error}").format(error=exc.problems[0].message),
                    exc.problems[0].hint)
        return self._looks[key]

    def candidates(self, month: Month, kind: Kind, taken: set[Path]) -> list[Path]:
        """The files that look like `month`'s workbooks of `kind`."""
        out = []
        for path in self.paths():
            if path in taken or self.never(path) is not None:
                continue
            seen = self.look(path, month.year)
            if not isinstance(seen, Passed) and seen.month == month and seen.kind == kind:
                out.append(path)
        return out

    def why_not(self, path: Path, month: Month, kind: Kind, several: list[Path]) -> Passed:
        """Why `path` is not taken as `month`'s workbook of `kind`."""
        if (never := self.never(path)) is not None:
            return never
        seen = self.look(path, month.year)
        if isinstance(seen, Passed):
            return seen
        if path in several:
            return Passed(path, _("one of {count} files that could be the {kind} for {month}").format(
                count=len(several), kind=KIND_NAMES[kind], month=month),
                _('Keep only the right one in {folder}, or name it in {settings}: '
                  'input.{key} = ["{name}"]').format(
                    folder=self.config.input_folder.name, settings=self.config.path.name,
                    key=kind, name=path.name))
        if seen.month is None:
            return Passed(path, _("neither its name nor its first rows say which month it is"),
                          _("Put the month in its name, e.g. {example}.").format(
                              example=f"{month.year}年{month.month}月绩效.xlsx"))
        if seen.month != month:
            return Passed(path, _("for another month ({other})").format(other=seen.month),
                          _("Taken when that month is run: cslevel run --month {other}").format(
                              other=seen.month))
        if seen.kind is None or seen.kind == "roster":
            return Passed(path, _("not a KPI or attendance workbook (by its name and its "
                                  "header)"),
                          _("Put 绩效 or 考勤 in its name, or name it in {settings} "
                            "(input.kpi, input.attendance).").format(
                              settings=self.config.path.name))
        # (a file of the right month and kind left out: the patterns named others)
        return Passed(path, _("also looks like the month's {kind}, but input.{key} in "
                              "{settings} names other files").format(
            kind=KIND_NAMES[seen.kind], key=seen.kind, settings=self.config.path.name),
            _("Not read; change input.{key} to take it.").format(key=seen.kind))

    def month_files(self, month: Month) -> MonthFiles:
        """`month`'s KPI and attendance workbooks: the patterns' when they match, else the
        files whose name or first rows say so; no KPI workbook, or several candidates of a
        kind, is an error listing every file of the folder and why it was not taken."""
        found = MonthFiles(month)
        # the pay-inputs workbook is taken by its pattern only, before the others are looked for
        found.pay_inputs = self.config.files(self.config.pay_inputs, month)
        taken: set[Path] = set(found.pay_inputs)
        several: dict[Kind, list[Path]] = {}
        chosen: dict[Kind, list[Path]] = {}
        kinds: tuple[tuple[Kind, list[str]], ...] = (
            ("kpi", self.config.kpi), ("attendance", self.config.attendance))
        for kind, patterns in kinds:
            named = self.config.files(patterns, month)
            files = named or self.candidates(month, kind, taken)
            if len(files) > 1 and not named:
                several[kind] = files
            else:
                chosen[kind] = files
                taken.update(files)
        found.kpi, found.attendance = chosen.get("kpi", []), chosen.get("attendance", [])
        if found.kpi and not several:
            return found
        for kind, files in several.items():
            found.problems.append(Problem(
                _("{count} files could each be the {kind} for {month} in {folder}: {names}"
                  ).format(count=len(files), kind=KIND_NAMES[kind], month=month,
                           folder=self.config.input_folder,
                           names=", ".join(p.name for p in files)),
                Source(str(self.config.input_folder)),
                hint=_("Keep only the right one there, or name it in {settings} (input.{key})."
                       ).format(settings=self.config.path.name, key=kind)))
        if not found.kpi and "kpi" not in several:
            looked = ", ".join(p.format(month=str(month),
                                        yyyymm=f"{month.year}{month.month:02d}")
                               for p in self.config.kpi)
            found.problems.append(Problem(
                _("no KPI workbook for {month} in {folder}").format(
                    month=month, folder=self.config.input_folder),
                Source(str(self.config.input_folder)),
                hint=_("Put the month's export there, named like {names} (the patterns are "
                       "input.kpi in {settings}) or with the month and 绩效 in its name "
                       "({example}), or give another --month.").format(
                    names=looked, settings=self.config.path.name,
                    example=f"{month.year}年{month.month}月绩效.xlsx")))
        found.several = [p for files in several.values() for p in files]
        for path in self.paths():
            if path in found.pay_inputs:
                found.problems.append(Problem(_("taken as the month's pay-inputs workbook"),
                                              Source(path.name), "warning"))
                continue
            if path in taken:
                kind_taken: Kind = "kpi" if path in found.kpi else "attendance"
                found.problems.append(Problem(_("taken as the month's {kind}").format(
                    kind=KIND_NAMES[kind_taken]), Source(path.name), "warning"))
                continue
            among = next((k for k, files in several.items() if path in files), None)
            passed = self.why_not(path, month, among or "kpi", several.get(among or "kpi", []))
            found.passed.append(passed)
            found.problems.append(passed.problem())
        return found

    def months_with_kpi(self, before: Month) -> list[Month]:
        """Every month before `before` a KPI workbook in the folder is for (months named
        without a year are in `before`'s year), in order. A file whose name says a later
        month is not opened."""
        from ..read.identify import month_in_name

        months: set[Month] = set()
        for path in self.paths():
            named = month_in_name(path.name, before.year)
            if self.never(path) is not None or (named is not None and named >= before):
                continue
            seen = self.look(path, before.year)
            if (not isinstance(seen, Passed) and seen.month is not None and seen.month < before
                    and seen.kind == "kpi"):
                months.add(seen.month)
        return sorted(months)


def month_pay_inputs(config: Config, month: Month, folder: InputFolder) -> Path | None:
    """`month`'s pay-inputs workbook (input.pay_inputs), if there is one; several is an
    error naming them."""
    found = folder.month_files(month).pay_inputs
    if len(found) > 1:
        raise CslevelError(Problem(
            _("{count} files could each be the pay-inputs workbook for {month}: {names}").format(
                count=len(found), month=month, names=", ".join(p.name for p in found)),
            Source(str(config.input_folder)),
            hint=_("Keep only the right one there, or name it in {settings} "
                   "(input.pay_inputs).").format(settings=config.path.name)))
    return found[0] if found else None


def month_inputs(config: Config, month: Month, folder: InputFolder) -> tuple[list[Path],
                                                                               list[Path]]:
    """`month`'s KPI and attendance workbooks, or CslevelError listing what is wrong; the
    roster and profile the settings name must be there."""
    found = folder.month_files(month)
    if found.problems:
        raise CslevelError(found.problems)
    problems = [Problem(NOT_THERE[key], Source(str(path)),
                        hint=_('Put it there, or set input.{key} = "" in {settings}.').format(
                            key=key, settings=config.path.name))
                for key, path in (("roster", config.roster), ("profile", config.profile))
                if path is not None and not path.is_file()]
    if problems:
        raise CslevelError(problems)
    return found.kpi, found.attendance
