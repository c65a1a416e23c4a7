"""The optional history table (earlier years' monthly counts): reading, Chinese errors, the data folder."""

import pandas as pd
import pytest

from legalaid.api import find_files, read_inputs
from legalaid.cli import main
from scenarios.errors import InputError
from scenarios.plans import load_plan
from scenarios.tables import read_table

HEADER = "地区,年份,月份,审批数,结案数\n"


def history_text(years=(2021, 2022), regions=("宿松县", "望江县"), approved=30, closed=20) -> str:
    return HEADER + "".join(f"{r},{y},{m},{approved},{closed}\n" for y in years for r in regions for m in range(1, 13))


@pytest.fixture(scope="module")
def plan():
    return load_plan("anqing-2023")


def test_history_reads_into_canonical_frame(plan, tmp_path):
    """Chinese headers and region names in, canonical columns (region id, year, month, counts) out."""
    path = tmp_path / "历年.csv"
    path.write_text(history_text(), encoding="utf-8-sig")
    frame = read_table(path, "history", plan)
    assert list(frame.columns) == ["region", "year", "month", "approved", "closed"]
    assert set(frame["region"]) == {"susong", "wangjiang"} and len(frame) == 48
    assert frame["year"].tolist()[:2] == [2021, 2021] and frame["approved"].sum() == 48 * 30


def test_history_errors_name_file_row_column_value_and_what_is_expected(plan, tmp_path):
    """A year not before the plan's, a repeated month, a year with months missing, closures above approvals,
    an unknown region: every problem in one Chinese error."""
    text = history_text(years=(2022,), regions=("宿松县",))
    lines = text.splitlines()
    lines[3] = "宿松县,2022,2,30,20"  # month 3 written as 2 again → repeat of 2, month 3 missing
    lines.append("宿松县,2023,1,30,20")  # the plan's own year
    lines.append("望江县,2021,1,5,9")  # closures above approvals (and 2021 incomplete)
    lines.append("宿送县,2021,1,5,1")  # unknown region
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_table(path, "history", plan)
    text = str(err.value)
    assert "第4行" in text and "宿松县2022年2月已在第3行填报" in text
    assert "宿松县2022年缺少3月的数据" in text
    assert "第14行，列“年份”：值“2023”" in text and "2000年至2022年之间" in text
    assert "第15行" in text and "望江县2021年截至1月累计结案9件，多于累计审批5件" in text
    assert "第16行，列“地区”：值“宿送县”" in text and "是否要填“宿松县”" in text  # did-you-mean


def test_project_with_history_and_bad_history_exits_2_without_traceback(plan, tmp_path, capsys):
    """`legalaid project --history F`: a good file is used (its years named in the notes), a bad one exits 2."""
    from scenarios.example import generate_example

    data = generate_example(plan, month=6, seed=0)
    progress = tmp_path / "progress.csv"
    data.progress.to_csv(progress, index=False)
    rows = [(r, y, m, 30, 25) for y in (2020, 2021, 2022) for r in plan.region_ids for m in range(1, 13)]
    good = tmp_path / "history.csv"
    pd.DataFrame(rows, columns=["region", "year", "month", "approved", "closed"]).to_csv(good, index=False)
    out = tmp_path / "out"
    code = main(["project", "--plan", "anqing-2023", "--progress", str(progress), "--history", str(good), "--runs",
                 "25", "--workers", "1", "--no-charts", "--out", str(out)])
    assert code == 0
    notes = pd.read_csv(out / "模型说明.csv", encoding="utf-8-sig")
    assert notes["取值"].str.contains("按3年历年月度数据估计").any()
    clearance = notes.loc[notes["项目"] == "年末集中结案", "取值"].item()
    assert clearance.startswith("按3年历年12月结案数估计")  # Decembers closing 25 of 30 a month: none beyond the lags
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "宿松县,二〇二二,1,3,1\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["project", "--plan", "anqing-2023", "--progress", str(progress), "--history", str(bad), "--runs",
                 "25", "--workers", "1", "--no-charts", "--out", str(tmp_path / "out2")])
    err = capsys.readouterr().err
    assert code == 2 and "bad.csv" in err and "年份" in err and "Traceback" not in err


def test_data_folder_finds_the_history_table_when_present(plan, tmp_path):
    """`run --data` reads history|历年 beside the four tables; without it the history is None; two are an error."""
    from legalaid.report.inputs import write_example
    from scenarios.example import generate_example

    files = write_example(generate_example(plan, month=6, seed=0), tmp_path)
    assert "history" not in find_files(tmp_path)
    assert read_inputs(plan, folder=tmp_path).history is None
    rows = [(r, 2022, m, 30, 25) for r in plan.region_ids for m in range(1, 13)]
    pd.DataFrame(rows, columns=["region", "year", "month", "approved", "closed"]).to_csv(tmp_path / "历年.csv",
                                                                                         index=False)
    inputs = read_inputs(plan, folder=tmp_path)
    assert inputs.history is not None and len(inputs.history) == 12 * len(plan.region_ids)
    assert files["progress"].parent == tmp_path
    (tmp_path / "history.csv").write_text((tmp_path / "历年.csv").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        find_files(tmp_path)
    assert "有多个历年数据文件" in str(err.value)
