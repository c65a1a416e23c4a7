"""`legalaid plans` lists and shows plans in Chinese; an unknown plan exits 2 with a suggestion."""

from legalaid.cli import main


def test_plans_show_prints_targets_and_rules(capsys):
    """plans show anqing-2023 prints the 11 targets, the total 5826 and the cited 90 cap."""
    assert main(["plans", "show", "anqing-2023"]) == 0
    out = capsys.readouterr().out
    for name, target in [("宿松县", 860), ("安庆市本级", 246), ("桐城市", 806)]:
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert str(target) in line
    assert "5826" in out and "安庆2023方案六（二）" in out and "90 件/年" in out


def test_unknown_plan_exits_2_with_did_you_mean(capsys):
    """A mistyped plan id is a user error (status 2) naming the close match."""
    assert main(["plans", "show", "anqin-2023"]) == 2
    assert "anqing-2023" in capsys.readouterr().err


def test_plans_new_writes_a_template_that_loads_once_filled(tmp_path, capsys):
    """`plans new` writes a commented plan; as written it names what is missing; with the numbers
    (targets, coordinates) filled in it loads and shows; an existing file is never overwritten."""
    import re

    from legalaid.cli import main

    path = tmp_path / "hefei.toml"
    assert main(["plans", "new", str(path), "--city", "合肥市", "--regions", "瑶海区,肥东县", "--year", "2026"]) == 0
    assert main(["plans", "show", str(path)]) == 2
    assert "缺少坐标" in capsys.readouterr().err
    text = path.read_text(encoding="utf-8")
    text = text.replace("target_total = 0", "target_total = 600")
    targets = iter([100, 200, 300])
    text = re.sub(r"target = 0 ", lambda m: f"target = {next(targets)} ", text)
    text = text.replace("# lat = 31.00", "lat = 31.8").replace("# lon = 117.00", "lon = 117.3")
    path.write_text(text, encoding="utf-8")
    assert main(["plans", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "合肥市2026年法律援助工作实施方案" in out and "瑶海区" in out and "沿用省级默认" in out
    assert main(["plans", "new", str(path), "--city", "合肥市"]) == 2
    assert "已存在" in capsys.readouterr().err


def test_user_plan_is_found_by_its_own_id(tmp_path, monkeypatch, capsys):
    """A plan file in $LEGALAID_PLANS is listed and loaded by the id written in it, not its file name."""
    from legalaid.cli import main
    from tests.corpus.make_plans import GOOD

    (tmp_path / "some-file-name.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.toml").write_text("id = ", encoding="utf-8")
    monkeypatch.setenv("LEGALAID_PLANS", str(tmp_path))
    assert main(["plans"]) == 0
    out = capsys.readouterr().out
    assert "testcity-2026" in out and "some-file-name" not in out.split("testcity-2026")[0][-20:]
    assert main(["plans", "show", "testcity-2026"]) == 0
    assert "测试市" in capsys.readouterr().out


def test_quiet_prints_nothing_but_errors(tmp_path, capsys):
    """--quiet: a successful run prints nothing; an error still prints its sentence."""
    from legalaid.cli import main

    assert main(["example", "--quiet", "--out", str(tmp_path / "d")]) == 0
    assert capsys.readouterr().out == ""
