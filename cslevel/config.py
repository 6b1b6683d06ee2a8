"""The workspace settings file, `cslevel.toml`: which scheme, where the month's workbooks
are and how they are named, where outputs and the history go, and the language. Paths are
relative to the settings file, so a workspace folder can be moved or shared as a whole."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import _
from .records import CslevelError, Month, Problem, Source

CONFIG_NAME = "cslevel.toml"

TEMPLATE = """\
# cslevel 工作区配置 / cslevel workspace settings
# 改好后每月运行一次：cslevel run（默认处理上一个自然月），或 cslevel run --month 2026-10
# Edit, then run once a month: cslevel run (the previous calendar month by default),
# or cslevel run --month 2026-10. Paths are relative to this file.

# 定级方案：模板名（{schemes}）或模板文件路径
# grading scheme: a template name, or the path of a template file (.yaml)
scheme = "{scheme}"

# 提示信息与工作簿标签的语言：zh（中文）或 en（English）；留空则按系统 LANG
# language of messages and workbook labels: zh or en; empty = from the LANG setting
language = "{language}"

[input]
# 每月把系统导出的工作簿放进这个文件夹 / put each month's exported workbooks in this folder
folder = "input"
# 文件名模式：{{month}} = 2026-10，{{yyyymm}} = 202610，* 匹配任意文字；都不匹配时，
# 按文件名和前几行找该月的表（如 2026年10月绩效.xlsx、10月考勤.xls、202610考勤.csv）
# file name patterns: {{month}} = 2026-10, {{yyyymm}} = 202610, * matches anything; when
# none matches, the month's files are found by name and first rows (2026年10月绩效.xlsx …)
kpi = ["kpi_{{month}}*.xlsx", "绩效_{{month}}*.xlsx", "kpi_{{yyyymm}}*.xlsx"]
attendance = ["att_{{month}}*.xlsx", "考勤_{{month}}*.xlsx", "att_{{yyyymm}}*.xlsx"]
# 薪酬录入表（加班小时、六险一金个人部分、福利、一次性款项及事由），可不放；{{month}} 为运行的月份，
# 录入的金额随这次运行写出的工资表（次月）发放
# the pay-inputs workbook (overtime hours, 六险一金, benefits, one-off amounts with a reason),
# optional; {{month}} is the month run, and its amounts go on the payroll that run writes
pay_inputs = ["pay_{{month}}*.xlsx", "薪酬录入_{{month}}*.xlsx"]
# 花名册（入职/离职日期、当前级别、主管津贴档、领班）；留空 "" 表示不用
# the roster (hire/leave dates, current level, supervisor tier, team lead); "" = none
roster = "input/roster.xlsx"
# 积分方案（points）的个人档案工作簿；其他方案留空 / profile workbook, points scheme only
profile = ""

[output]
# 结果表、晋降级名单和工资表写到这里 / results, sign-off lists and payroll files go here
folder = "output"

[database]
# 历史数据库：SQLite 文件（相对本文件），或 postgresql://用户@主机/库（多个站点共用）
# the history: a SQLite file (relative to this file), or postgresql://user@host/db (shared)
url = "cslevel.db"
"""


@dataclass(frozen=True)
class Config:
    path: Path
    scheme: str
    language: str = ""
    input_folder: Path = Path("input")
    kpi: list[str] = field(default_factory=lambda: ["kpi_{month}*.xlsx"])
    attendance: list[str] = field(default_factory=list)
    pay_inputs: list[str] = field(default_factory=list)
    roster: Path | None = None
    profile: Path | None = None
    output_folder: Path = Path("output")
    database: str = "cslevel.db"

    def files(self, patterns: list[str], month: Month) -> list[Path]:
        """The input folder's files for `month` matching any pattern, in a stable order
        (Excel lock files ~$… and hidden files left out)."""
        found: dict[Path, None] = {}
        for pattern in patterns:
            name = pattern.format(month=str(month), yyyymm=f"{month.year}{month.month:02d}")
            for path in sorted(self.input_folder.glob(name)):
                if path.is_file() and not path.name.startswith(("~$", ".")):
                    found[path] = None
        return list(found)


def _strings(value: object, key: str, where: Source) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v]
    raise CslevelError(Problem(
        _("{key} must be a file name pattern or a list of them").format(key=key), where,
        hint=_('e.g. kpi = ["kpi_{month}*.xlsx"]')))


def load_config(path: Path | None) -> Config:
    """Read `cslevel.toml` (default: in the current folder), or CslevelError saying what is
    wrong and what to do."""
    path = path or Path(CONFIG_NAME)
    where = Source(str(path))
    if not path.is_file():
        raise CslevelError(Problem(
            _("no settings file {path}").format(path=path), where,
            hint=_("Run `cslevel init` to make a workspace, or give --config "
                   "path/to/cslevel.toml.")))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CslevelError(Problem(
            _("the settings file cannot be read: {error}").format(error=exc), where,
            hint=_("Check the quotes and brackets on that line."))) from None
    known = {"scheme", "language", "input", "output", "database"}
    sections = {"input": {"folder", "kpi", "attendance", "pay_inputs", "roster", "profile"},
                "output": {"folder"}, "database": {"url"}}
    problems = [Problem(_("unknown setting {key}").format(key=repr(key)), where,
                        hint=_("Allowed: {keys}.").format(keys=", ".join(sorted(known))))
                for key in data if key not in known]
    for section, keys in sections.items():
        value = data.get(section, {})
        if not isinstance(value, dict):
            problems.append(Problem(_("[{section}] must be a section").format(section=section),
                                    where))
            continue
        problems += [Problem(_("unknown setting {section}.{key}").format(section=section,
                                                                          key=key), where,
                             hint=_("Allowed in [{section}]: {keys}.").format(
                                 section=section, keys=", ".join(sorted(keys))))
                     for key in value if key not in keys]
    scheme = data.get("scheme")
    if not isinstance(scheme, str) or not scheme:
        problems.append(Problem(_("scheme is missing"), where,
                                hint=_('Name a template, e.g. scheme = "star".')))
    language = data.get("language", "")
    if language not in ("", "zh", "en"):
        problems.append(Problem(_("language must be zh or en, not {language}").format(
            language=repr(language)), where))
    if problems:
        raise CslevelError(problems)
    base = path.parent.resolve()
    inputs, outputs = data.get("input", {}), data.get("output", {})
    database = data.get("database", {})

    def resolve(text: str) -> Path:
        p = Path(text)
        return p if p.is_absolute() else base / p

    def optional(key: str) -> Path | None:
        value = inputs.get(key, "")
        if not isinstance(value, str):
            raise CslevelError(Problem(_("input.{key} must be a file name").format(key=key),
                                       where))
        return resolve(value).resolve() if value else None

    url = database.get("url", "cslevel.db")
    if "://" not in url:
        url = str(resolve(url))
    scheme_value = str(scheme)
    if scheme_value.endswith((".yaml", ".yml")):
        scheme_value = str(resolve(scheme_value))
    return Config(
        path=path, scheme=scheme_value, language=language,
        input_folder=resolve(inputs.get("folder", "input")),
        kpi=_strings(inputs.get("kpi", ["kpi_{month}*.xlsx"]), "input.kpi", where),
        attendance=_strings(inputs.get("attendance", []), "input.attendance", where),
        pay_inputs=_strings(inputs.get("pay_inputs", []), "input.pay_inputs", where),
        roster=optional("roster"), profile=optional("profile"),
        output_folder=resolve(outputs.get("folder", "output")),
        database=url,
    )


def write_template(folder: Path, scheme: str = "star", language: str = "zh") -> Path:
    from .scheme import shipped_template_names

    path = folder / CONFIG_NAME
    path.write_text(TEMPLATE.format(scheme=scheme, language=language,
                                    schemes=", ".join(shipped_template_names())),
                    encoding="utf-8")
    return path
