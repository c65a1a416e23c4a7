"""`legalaid project`: the projection from files, in Chinese, with exit status 2 on bad input."""

import csv

import pytest

from legalaid.cli import main
from legalaid.report.inputs import write_example
from scenarios.example import generate_example
from scenarios.plans import load_plan


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("example")
    return write_example(generate_example(load_plan("anqing-2023"), month=6, seed=0), folder)


def test_project_all_policies_writes_report_and_prints_table(files, tmp_path, capsys):
    """Chinese files in, a Chinese summary and comparison printed, report folder written, status 0."""
    out = tmp_path / "预测"
    code = main(["project", "--plan", "anqing-2023", "--progress", str(files["progress"]), "--lawyers",
                 str(files["lawyers"]), "--runs", "30", "--seed", "3", "--policy", "all", "--workers", "1",
                 "--no-charts", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "安庆市法律援助进度预测（截至6月，30次模拟）" in text and "岳西县" in text and "全市合计" in text
    assert "全市一盘棋（按序时进度调配案源）" in text and "落后序时进度的地区" in text
    with open(out / "策略比较.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["地区", "调配策略"] and len(rows) == 1 + 4 * 12
    assert (out / "进度预测.xlsx").is_file() and not (out / "图表").exists()


def test_project_same_seed_same_files(files, tmp_path):
    """Two runs with one seed write identical tables (1 vs 2 worker processes)."""
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        assert main(["project", "--plan", "anqing-2023", "--progress", str(files["progress"]), "--runs", "50",
                     "--workers", workers, "--no-charts", "--out", str(out)]) == 0
        outs.append((out / "进度预测.csv").read_bytes())
    assert outs[0] == outs[1]


def test_future_month_in_progress_is_exit_2(files, tmp_path, capsys):
    """--month 5 with June rows: the domain layer's message names the rows, status 2, nothing written."""
    out = tmp_path / "x"
    code = main(["project", "--plan", "anqing-2023", "--progress", str(files["progress"]), "--month", "5",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "未来月份" in err and "Traceback" not in err
    assert not out.exists()


def test_deterministic_flag_runs_once(files, tmp_path, capsys):
    """--deterministic: one expected-value run (probabilities are then 0 or 1)."""
    out = tmp_path / "d"
    assert main(["project", "--plan", "anqing-2023", "--progress", str(files["progress"]), "--deterministic",
                 "--no-charts", "--out", str(out)]) == 0
    assert "1次模拟" in capsys.readouterr().out


def test_bad_params_file_is_exit_2(files, tmp_path, capsys):
    """An invalid --params file is reported in Chinese with status 2."""
    bad = tmp_path / "p.toml"
    bad.write_text("[case_mix]\ncivil = \"很多\"\n", encoding="utf-8")
    code = main(["project", "--plan", "anqing-2023", "--progress", str(files["progress"]), "--params", str(bad),
                 "--out", str(tmp_path / "y")])
    assert code == 2 and "[case_mix] civil" in capsys.readouterr().err
