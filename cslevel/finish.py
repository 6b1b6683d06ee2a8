"""The finish of a command: its output files and the history database always agree.

A command that writes files (results, sign-off list, payroll) and changes the history ends
in four steps:

1. **staged** — every output is written whole to a staging file (`.~cslevel-TAG-PID-…-NAME`,
   in the system's temporary folder when it is on the target's disk, else beside the
   target), TAG naming the history database;
2. **recorded** — the set (each staging file, its target and its SHA-256) is written into the
   history (`output_files`), in the command's own transaction;
3. **committed** — the transaction commits: the history now holds the month *and* the
   promise of its files;
4. **renamed** — each staging file is renamed onto its target, then the set is forgotten (a
   second, short transaction).

A kill or a failure before step 3 leaves the history as it was, and the staging files are
removed (by the command itself when it can, else by the next command on the same history,
which sweeps staging files carrying its TAG that no committed set names). A kill after step
3 leaves a committed set: the next command on the history, before anything else and while
it holds the history's lock, renames what is still staged and forgets the set. Either way,
once the next command has started, the output folder holds the whole month or none of it.

Before any file is staged, its target is compared with the files the command reads (the
history database, the inputs, the roster, the profile, the template, the settings): an
output never replaces one of them, whatever the spelling of the path or a link to it.

`CSLEVEL_TEST_FAULT=STEP` (tests only) stops the process at a step boundary as `kill -9`
would (`STEP=error` for the steps where a failure can be raised instead): the tests prove
the protocol at every boundary with it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import N_, Labels, _
from .records import CslevelError, Problem, Source

if TYPE_CHECKING:
    from .store import History

PREFIX = ".~cslevel-"
# the boundaries where CSLEVEL_TEST_FAULT may stop a command, in their order
STEPS = ("staged", "recorded", "commit", "committed", "renamed-one", "renamed", "forgotten")


def fault(step: str, error: Callable[[], BaseException] | None = None) -> None:
    """Test hook: with CSLEVEL_TEST_FAULT=step the process dies here as under `kill -9`; with
    CSLEVEL_TEST_FAULT=step=error the failure `error()` is raised instead (by default: the
    disk is full)."""
    wanted = os.environ.get("CSLEVEL_TEST_FAULT")
    if not wanted:
        return
    name, _sep, kind = wanted.partition("=")
    if name != step:
        return
    if kind == "error":
        raise error() if error is not None else OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    os.kill(os.getpid(), signal.SIGKILL)


def digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def flush_to_disk(path: Path) -> None:
    """Make sure a staged file's bytes are on the disk (not only in the system's cache)
    before the history's commit promises it: a power cut after the commit must not leave a
    promised file empty."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # (some file systems cannot: the commit is still the promise)
        pass
    finally:
        os.close(fd)


def history_tag(identity: str) -> str:
    """A short name for one history database (its path or URL), carried by its staging files
    so that a command sweeps only its own history's leftovers."""
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]


def staging_prefix(tag: str) -> str:
    return f"{PREFIX}{tag}-{os.getpid()}-"


_STAGED_NAME = re.compile(r"^\.~cslevel-([0-9a-f]{12})-(\d+)-")


def _owner(name: str) -> tuple[str, int] | None:
    found = _STAGED_NAME.match(name)
    return (found.group(1), int(found.group(2))) if found else None


def sweep(tag: str, folders: Iterable[Path], keep: set[str]) -> list[Path]:
    """Remove the staging files of history `tag` in `folders` that no committed set names
    (`keep`: their paths) and that this process did not make: leftovers of a command that
    was killed before its commit. Called while the history's lock is held, so no other
    command on this history is staging files at the same time."""
    removed: list[Path] = []
    me = os.getpid()
    seen: set[str] = set()
    for folder in folders:
        key = os.path.normcase(os.path.abspath(folder))
        if key in seen:
            continue
        seen.add(key)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            owner = _owner(entry.name)
            if owner is None or owner[0] != tag or owner[1] == me or entry.path in keep:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):  # a workbook writer's parts folder
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def temp_folder() -> Path:
    return Path(tempfile.gettempdir())


def recover(history: History) -> tuple[list[Problem], bool]:
    """Finish what a killed command left: rename the staging files of committed sets onto
    their targets and forget the sets; remove staging files of this history that no
    committed set names. Returns warnings saying what was done (nothing to say: []) and
    whether the history changed (then it is committed on its own, first)."""
    pending = history.pending_outputs()
    problems: list[Problem] = []
    keep: set[str] = set()
    done_tokens: set[str] = set()
    placed: list[str] = []
    lost: list[str] = []
    for token, tmp_text, target_text, sha in pending:
        tmp, target = Path(tmp_text), Path(target_text)
        if tmp.exists() and digest(tmp) != sha:  # (damaged since: never put in place)
            tmp.unlink(missing_ok=True)
            lost.append(str(target))
            done_tokens.add(token)
            continue
        if tmp.exists():
            try:
                os.replace(tmp, target)
                placed.append(target.name)
            except OSError as exc:  # (the target folder is gone or locked: keep the set)
                keep.add(tmp_text)
                problems.append(Problem(
                    _("a finished run's file could not be put in place yet: {target} "
                      "({why})").format(target=target, why=exc.strerror or exc),
                    Source(str(target)), "warning",
                    hint=_("Close the file if it is open in Excel/WPS; the next cslevel "
                           "command puts it in place.")))
                continue
        elif not target.exists():
            lost.append(str(target))
        done_tokens.add(token)
    folders = {temp_folder(), *(Path(t).parent for _k, t, _g, _s in pending),
               *(Path(g).parent for _k, _t, g, _s in pending)}
    removed = sweep(history.tag, folders, keep)
    if done_tokens:
        history.forget_outputs(sorted(done_tokens))
    if placed:
        problems.append(Problem(
            _("the previous run stopped after saving its month but before putting its files "
              "in place; they were put in place now: {files}").format(
                files=_(", ").join(placed)), severity="warning"))
    for target_text in lost:
        problems.append(Problem(
            _("a file of a finished run is missing (its staged copy was removed or damaged "
              "before it was put in place): {target}").format(target=target_text),
            Source(target_text), "warning",
            hint=_("Write it again: run the same command (cslevel run --month …) again.")))
    if placed or lost or removed:
        history.record_run("recover", {
            "placed": placed, "lost": lost, "removed": [str(p) for p in removed]})
    return problems, bool(placed or lost or removed or done_tokens)


# --- outputs must not replace what the command reads ------------------------------------
PROTECTED = Labels({
    "database": N_("the history database"),
    "input": N_("an input workbook of this command"),
    "roster": N_("the roster"),
    "profile": N_("the profile workbook"),
    "template": N_("the template"),
    "config": N_("the workspace settings file"),
    "output": N_("another output of this command"),
})


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same file on disk (links included), or the same
    real path (symbolic links and `./x` spellings resolved; case folded where the system
    ignores case)."""
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass
    try:
        return (os.path.normcase(os.path.realpath(a))
                == os.path.normcase(os.path.realpath(b)))
    except (OSError, ValueError):
        return False


def refuse_overwrite(target: Path, protected: Iterable[tuple[Path, str]]) -> None:
    """Exit code 2 (nothing written) when `target` is, or resolves to, a file the command
    reads. `protected`: (path, kind) with kind a key of PROTECTED."""
    for path, kind in protected:
        if same_file(target, path):
            raise CslevelError(Problem(
                _("the output {target} is {what} ({path}); writing it would destroy "
                  "that file").format(target=target, what=PROTECTED[kind], path=path),
                Source(str(target)),
                hint=_("Choose another output path (--out, or the output folder in "
                       "cslevel.toml), then run again.")), exit_code=2)


def sqlite_files(path: Path) -> list[tuple[Path, str]]:
    """A SQLite history and the files SQLite keeps beside it, as protected paths."""
    return [(Path(f"{path}{suffix}"), "database")
            for suffix in ("", "-journal", "-wal", "-shm")]


def protected_inputs(files: Iterable[Path] = (), *, roster: Path | None = None,
                     profile: Path | None = None, template: str | None = None,
                     config: Path | None = None) -> list[tuple[Path, str]]:
    """The files a command reads, as (path, kind) for `refuse_overwrite`."""
    out: list[tuple[Path, str]] = [(Path(p), "input") for p in files]
    for path, kind in ((roster, "roster"), (profile, "profile"), (config, "config")):
        if path is not None:
            out.append((Path(path), kind))
    if template and (template.endswith((".yaml", ".yml")) or os.sep in template
                     or "/" in template):
        out.append((Path(template), "template"))
    return out
