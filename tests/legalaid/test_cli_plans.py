"""`legalaid plans` lists and shows plans in Chinese; an unknown plan exits 2 with a suggestion."""

from legalaid.cli import main


def test_plans_show_prints_targets_and_rules(capsys):
    """plans show anqing-2023 prints the 11 targets, the total 5826 and the cited 90 cap."""
    assert main(["plans", "show", "anqing-2023"]) == 0
    out = capsys.readouterr().out
    for name, target in [("宿松县", 860), ("安庆市本级", 246), ("桐城市", 806)]:
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert str(target) in line
    assert "5826" in out and "安庆2023 §6(2)" in out and "90 件/年" in out


def test_unknown_plan_exits_2_with_did_you_mean(capsys):
    """A mistyped plan id is a user error (status 2) naming the close match."""
    assert main(["plans", "show", "anqin-2023"]) == 2
    assert "anqing-2023" in capsys.readouterr().err
