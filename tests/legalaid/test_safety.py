"""Safe by default: --out never destroys the user's files; reruns replace only the tool's own
report, atomically; interrupted runs leave a whole report and no process behind; what the tool
writes reads back; system failures are exit 3 with a sentence."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from legalaid.cli import main
from legalaid.report.folders import RUN_FILE, sha256
from tests.corpus.make_tables import full_city_progress

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--runs", "20", "--workers", "1"]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def whole(folder: Path) -> bool:
    """A report folder whose run file lists exactly its files, each with its hash."""
    data = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    listed = data["文件"]
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {RUN_FILE}
    return present == set(listed) and all(sha256(folder / n) == h for n, h in listed.items())


@pytest.fixture
def example(tmp_path):
    folder = tmp_path / "data"
    assert main(["example", "--plan", "anqing-2023", "--out", str(folder)]) == 0
    return folder


def test_out_on_a_folder_with_user_files_is_refused_and_leaves_them(tmp_path, capsys, monkeypatch):
    """--out . , --out ~/Desktop-like folders and --out naming a file: exit 2, every file as it was."""
    desk = tmp_path / "desktop"
    desk.mkdir()
    (desk / "工作总结.docx").write_bytes(b"mine")
    (desk / "照片").mkdir()
    (desk / "照片" / "a.jpg").write_bytes(b"jpg")
    before = tree(desk)
    monkeypatch.chdir(desk)
    for args in (["example", "--out", "."], ["example", "--out", str(desk)], ["run", *FAST, "--out", "."]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "不是空的" in err and "新的或空的文件夹" in err and "Traceback" not in err
        assert tree(desk) == before
    note = desk / "工作总结.docx"
    assert main(["example", "--out", str(note)]) == 2
    assert "是一个已有的文件" in capsys.readouterr().err and note.read_bytes() == b"mine"


def test_run_into_its_own_data_folder_is_refused(example, capsys):
    """run --data D --out D (or a folder inside D): refused before anything is read or written."""
    before = tree(example)
    for out in (example, example / "报告"):
        assert main(["run", "--data", str(example), "--out", str(out), *FAST]) == 2
        assert "数据目录" in capsys.readouterr().err
    assert tree(example) == before


def test_a_previous_report_is_replaced_but_not_an_edited_one(tmp_path, example, capsys):
    """A report of this tool is replaced by a rerun; with a user's file added, or one of its files
    edited, it is refused and nothing is touched. Folders get normal permissions."""
    out = tmp_path / "dispatch"
    args = ["dispatch", "--plan", "anqing-2023", "--cases", str(example / "cases.csv"), "--lawyers",
            str(example / "lawyers.csv"), "--out", str(out)]
    assert main(args) == 0 and whole(out)
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())
    assert main(args) == 0 and whole(out)
    (out / "我的批注.txt").write_text("keep", encoding="utf-8")
    assert main(args) == 2 and "不是本工具写的文件：我的批注.txt" in capsys.readouterr().err
    (out / "我的批注.txt").unlink()
    (out / "派案结果.csv").write_text("edited", encoding="utf-8")
    assert main(args) == 2 and "已被修改：派案结果.csv" in capsys.readouterr().err
    assert (out / "派案结果.csv").read_text(encoding="utf-8") == "edited"
    assert main(["run", "--data", str(example), "--out", str(example.parent / "x"), *FAST]) == 0
    assert main(["example", "--out", str(tmp_path / "dispatch2")]) == 0
    assert main(["run", "--out", str(tmp_path / "dispatch2"), *FAST]) == 2  # example data is never replaced
    assert "示例输入数据" in capsys.readouterr().err


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_own_dispatch_result_reads_back_as_pinned(tmp_path, example):
    """派案结果.csv (formula-guarded ids included) is accepted as --pinned: every assignment is kept."""
    cases = pd.read_csv(example / "cases.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    cases.loc[0, "案件编号"] = "=C01-INJECT"
    cases.to_csv(example / "cases.csv", index=False, encoding="utf-8-sig")
    first, second = tmp_path / "first", tmp_path / "second"
    base = ["dispatch", "--plan", "anqing-2023", "--cases", str(example / "cases.csv"), "--lawyers",
            str(example / "lawyers.csv")]
    assert main([*base, "--out", str(first)]) == 0
    assert "'=C01-INJECT" in (first / "派案结果.csv").read_text(encoding="utf-8-sig")
    assert main([*base, "--pinned", str(first / "派案结果.csv"), "--out", str(second)]) == 0
    a = pd.read_csv(first / "派案结果.csv", encoding="utf-8-sig", dtype=str)
    b = pd.read_csv(second / "派案结果.csv", encoding="utf-8-sig", dtype=str)
    assert a["律师编号"].tolist() == b["律师编号"].tolist()
    assert set(b["指派方式"]) == {"保留已有指派"}


def test_tables_beyond_a_worksheet_go_to_csv_with_a_note(tmp_path, example, monkeypatch):
    """A table longer than a worksheet holds is written in full to CSV; its sheet says so."""
    import openpyxl

    import legalaid.report.writers as writers

    monkeypatch.setattr(writers, "MAX_SHEET_ROWS", 100)
    out = tmp_path / "d"
    assert main(["dispatch", "--plan", "anqing-2023", "--cases", str(example / "cases.csv"), "--lawyers",
                 str(example / "lawyers.csv"), "--out", str(out)]) == 0
    rows = len(pd.read_csv(out / "派案结果.csv", encoding="utf-8-sig"))
    assert rows > 100
    sheet = openpyxl.load_workbook(out / "派案结果.xlsx", read_only=True)["派案结果"]
    note = next(sheet.iter_rows(values_only=True))[0]
    assert f"{rows:,} 行" in note and "派案结果.csv" in note


def test_run_reads_the_month_from_the_progress_table(tmp_path, example, capsys):
    """run --data with a September table and no --month reports September, not the default June."""
    progress = tmp_path / "sep"
    progress.mkdir()
    for name in ("cases.csv", "lawyers.csv", "funds.csv"):
        (progress / name).write_bytes((example / name).read_bytes())
    (progress / "progress.csv").write_text(full_city_progress(months=9), encoding="utf-8")
    assert main(["run", "--data", str(progress), "--out", str(tmp_path / "b"), *FAST]) == 0
    assert "截至9月" in capsys.readouterr().out
    assert "2023年9月通报" in (tmp_path / "b" / "摘要.txt").read_text(encoding="utf-8-sig")


def test_full_disk_is_exit_3_with_a_sentence(tmp_path, example, capsys, monkeypatch):
    """An OSError while writing (here: no space left) is exit 3, one Chinese sentence, no traceback."""
    import errno

    import legalaid.report.writers as writers

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers, "write_csv", full)
    assert main(["dispatch", "--plan", "anqing-2023", "--cases", str(example / "cases.csv"), "--lawyers",
                 str(example / "lawyers.csv"), "--out", str(tmp_path / "d")]) == 3
    err = capsys.readouterr().err
    assert "磁盘空间已满" in err and "Traceback" not in err and not (tmp_path / "d").exists()


def test_read_only_out_is_exit_3(tmp_path, capsys, monkeypatch):
    """A folder the system will not let the tool write into (read-only, no permission) is exit 3 with
    a sentence, never a traceback (simulated: CI runs as root, who may write anywhere)."""
    import errno
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    assert main(["example", "--out", str(tmp_path / "x")]) == 3
    err = capsys.readouterr().err
    assert "没有写入权限" in err and "Traceback" not in err


def test_python_m_works_in_a_folder_with_a_scenarios_subfolder(tmp_path):
    """`python -m legalaid` from a folder holding scenarios/ (like examples/) uses the toolkit's own packages."""
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "x.toml").write_text("", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "legalaid", "plans"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "anqing-2023" in done.stdout, done.stderr


def test_broken_pipe_is_quiet():
    """`legalaid plans show … | head -1`: no traceback when the reader stops early."""
    done = subprocess.run(f"'{sys.executable}' -m legalaid plans show anqing-2023 | head -1", shell=True,
                          capture_output=True, text=True)
    assert done.returncode == 0 and "Traceback" not in done.stderr and "Error" not in done.stderr


def _processes_with(marker: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if any(marker in part for part in (p.info["cmdline"] or [])):
                found.append(p)
        except psutil.Error:
            continue
    return found


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_run_leaves_a_whole_report_and_no_process(tmp_path, sig):
    """SIGINT and SIGKILL at several moments of `legalaid run` over a previous report: the folder
    holds the previous report or the new one, whole; no worker process outlives the run."""
    out = tmp_path / f"brief-{sig.name}"
    cmd = [sys.executable, "-m", "legalaid", "run", "--runs", "200", "--workers", "2", "--out", str(out)]
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    previous = tree(out)
    for delay in (0.3, 1.5, 3.0, 4.5):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        assert b"Traceback" not in err
        time.sleep(1.5)
        assert _processes_with(str(out)) == [], f"processes left after {sig.name} at {delay} s"
        assert whole(out), f"{sig.name} at {delay} s left a broken report"
        now = tree(out)
        assert now == previous or now.keys() == previous.keys()
        if sig == signal.SIGINT:
            assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert subprocess.run(cmd, capture_output=True).returncode == 0  # a killed run's leftovers are cleared
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
