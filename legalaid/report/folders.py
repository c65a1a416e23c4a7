"""Report folders, safe by default: the tool writes only where it may, all or nothing.

``--out`` may name a folder that does not exist yet, an empty folder, or a report this tool
wrote earlier (its run file ``运行信息.json`` lists every file with its SHA-256). Anything else —
a file, a folder with the user's own files, a report whose files were edited or added to — is
refused with ``OutputRefused`` (exit 2) before any work is done, so nothing of the user's is
deleted or overwritten.

A report is written into a temporary folder beside the target; only when every file is written
does it take the target's place, by an atomic exchange of the two folders (Linux
``renameat2(RENAME_EXCHANGE)``; elsewhere two renames), so an interrupted run leaves either the
previous report or the new one, whole. The folder gets the permissions of a folder the user
makes (the umask applies), not the private 0700 of a temporary folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: The run file every report folder holds; it marks the folder as this tool's and lists its files.
RUN_FILE = "运行信息.json"
TOOL = "legalaid"
#: The kind of folder holding example input data (never replaced by a report).
DATA_KIND = "示例数据"

#: Report folders committed by this process (for an accurate message after Ctrl-C).
COMMITTED: list[Path] = []


class OutputRefused(Exception):
    """An ``--out`` the tool must not write into; the message says why and what to pass instead."""


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[str]:
    """Every file below ``folder`` as a relative POSIX path, sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _listed(names: list[str], limit: int = 5) -> str:
    shown = "、".join(names[:limit])
    return shown + (f" 等{len(names)}项" if len(names) > limit else "")


def check_target(target: Path, kind: str = "") -> None:
    """Refuse a target that is a file, or a folder holding anything this tool did not write.

    A folder of example input data (kind "示例数据") is replaced only by example data."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputRefused(f"输出位置“{target}”是一个已有的文件，不是文件夹；为免覆盖，请给出一个新的文件夹名（如 out/月通报）")
    if not target.exists():
        return
    present = _files(target)
    entries = list(target.iterdir())
    if not entries:
        return
    manifest, old_kind = _manifest(target)
    if manifest is None:
        raise OutputRefused(f"文件夹“{target}”不是空的（其中有 {_listed(sorted(p.name for p in entries))}），"
                            "也不是本工具写的报告；为免删除或覆盖您的文件，请给出一个新的或空的文件夹")
    if old_kind == DATA_KIND and kind != DATA_KIND:
        raise OutputRefused(f"文件夹“{target}”中是本工具生成的示例输入数据，报告不能写在这里；请给出另一个文件夹")
    extra = [name for name in present if name != RUN_FILE and name not in manifest]
    if extra:
        raise OutputRefused(f"文件夹“{target}”是本工具以前写的报告，但其中有不是本工具写的文件：{_listed(extra)}；"
                            "为免删除这些文件，请把它们移走，或给出一个新的文件夹")
    changed = [name for name, digest in manifest.items() if (target / name).is_file() and sha256(target / name) != digest]
    if changed:
        raise OutputRefused(f"文件夹“{target}”中的报告文件已被修改：{_listed(changed)}；为免覆盖您的修改，"
                            "请另存这些文件，或给出一个新的文件夹")


def _manifest(folder: Path) -> tuple[dict[str, str] | None, str]:
    """The files a report folder's run file lists (name → SHA-256) and its kind; None when not this tool's."""
    run_file = folder / RUN_FILE
    try:
        data = json.loads(run_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, ""
    files = data.get("文件") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("工具") != TOOL or not isinstance(files, dict):
        return None, ""
    return {str(k): str(v) for k, v in files.items()}, str(data.get("类型", ""))


def _write_run_file(folder: Path, info: dict) -> None:
    files = {name: sha256(folder / name) for name in _files(folder) if name != RUN_FILE}
    data = {"工具": TOOL, **info, "文件": files}
    (folder / RUN_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    at_fdcwd, rename_exchange = -100, 2
    ok = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
    return ok


def _remove_stale(target: Path) -> None:
    """Remove temporary folders a killed run of this tool left beside ``target`` (their process is gone)."""
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        pid = stale.name.removeprefix(f".{target.name}.tmp-").split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _commit(tmp: Path, target: Path) -> None:
    """Put the finished ``tmp`` in ``target``'s place; the previous report (verified ours) is removed."""
    if not target.exists():
        tmp.rename(target)
        COMMITTED.append(target)
    elif _exchange(tmp, target):
        COMMITTED.append(target)
        shutil.rmtree(tmp)  # now holds the previous report
    else:
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        target.rename(old)
        tmp.rename(target)
        COMMITTED.append(target)
        shutil.rmtree(old)


@contextlib.contextmanager
def staged_dir(out_dir: str | os.PathLike, info: dict | None = None) -> Iterator[Path]:
    """Yield a temporary folder that takes ``out_dir``'s place only if the block succeeds.

    ``info`` goes into the run file beside the list of files written (its "类型" names the kind of
    folder, e.g. "月通报" or ``DATA_KIND``). Raises ``OutputRefused``
    before yielding when ``out_dir`` may not be written (see the module docstring).
    """
    target = Path(os.path.abspath(out_dir))
    kind = (info or {}).get("类型", "")
    check_target(target, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        yield tmp
        _write_run_file(tmp, info or {})
        check_target(target, kind)  # nothing of the user's appeared meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _commit(tmp, target)
