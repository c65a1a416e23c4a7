"""The web page in a real browser: Playwright driving Debian's chromium (``scripts/setup.sh`` installs it).

Upload the example, see a validation error for a broken file, dispatch, change one assignment,
forbid a lawyer for another case, re-run, see both kept, download the workbook and open it.
"""

from __future__ import annotations

import os
import shutil

import openpyxl
import pandas as pd
import pytest

CHROMIUM = os.environ.get("LEGALAID_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

#: Under CI (CI=true) a missing browser is a failure, not a skip: setup.sh must have installed it.
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                                reason="no chromium: bash scripts/setup.sh installs Debian's chromium")


def launch(playwright):
    """Debian's chromium (Playwright's own browser download is not reachable); --no-sandbox as root."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


@pytest.fixture
def live(tmp_path):
    from legalaid.web.server import start_in_thread

    server, url = start_in_thread(tmp_path / "data")
    yield url
    server.close()


def test_upload_dispatch_change_forbid_rerun_download(live, example_files, tmp_path):
    from playwright.sync_api import sync_playwright

    frame = pd.read_excel(example_files["cases"], engine="calamine")
    frame.loc[2, "案件类型"] = "刑诉"
    broken = tmp_path / "案件有误.csv"
    frame.to_csv(broken, index=False, encoding="utf-8-sig")
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 900}, accept_downloads=True)
        page.set_default_timeout(60_000)
        page.goto(live + "data")
        page.fill("#user", "王五")
        page.click("#set-user")
        for table in ("cases", "lawyers", "progress", "funds"):
            page.set_input_files(f"#file-{table}", str(example_files[table]))
        page.click("#upload")
        assert "检查通过" in page.inner_text("#summary")

        # a broken file: the issue in a table with file, Excel row, column, value, expected
        page.set_input_files("#file-cases", str(broken))
        page.set_input_files("#file-lawyers", str(example_files["lawyers"]))
        page.click("#upload")
        row = page.locator("#issues tbody tr", has_text="刑诉")
        assert row.count() == 1
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == broken.name and cells[1] == "4" and cells[2] == "案件类型" and cells[3] == "刑诉"
        assert "刑事" in cells[4]
        assert "此前通过检查的数据仍在使用" in page.content()

        # dispatch
        page.click("nav >> text=派案")
        page.click("#run")
        page.wait_for_selector("#cases tbody tr")
        assert "已求得最优解" in page.inner_text("#status")
        first_case = page.locator("#cases tbody tr").nth(0).get_attribute("data-case")
        second_case = page.locator("#cases tbody tr").nth(7).get_attribute("data-case")

        # change one assignment: the third allowed lawyer
        page.goto(live + f"dispatch/case/{first_case}")
        option = page.locator("#options tbody tr").nth(2)
        chosen = option.locator("td").nth(2).inner_text()
        option.locator("input[type=radio]").check()
        page.fill("#change-reason", "受援人要求")
        page.click("#change")
        assert "已改派" in page.content()

        # forbid the current lawyer of another case (回避)
        page.goto(live + f"dispatch/case/{second_case}")
        forbidden = page.input_value("#exclude-lawyer")
        page.fill("#exclude-reason", "曾为对方当事人代理")
        page.click("#exclude")
        assert f"回避：{forbidden}" in page.inner_text("#state")

        # re-run: both kept
        page.goto(live + "dispatch")
        page.click("#run")
        page.wait_for_selector("#cases tbody tr")
        page.select_option("select[name=only]", "adjusted")
        page.click("#filter")
        rows = {r.get_attribute("data-case"): r.locator("td").all_inner_texts()
                for r in page.locator("#cases tbody tr").all()}
        assert rows[first_case][6] == chosen and f"改派至{chosen}" in rows[first_case][13]
        assert rows[second_case][6] != forbidden and f"回避{forbidden}" in rows[second_case][13]

        # download the workbook and open it
        with page.expect_download() as info:
            page.click("#download-xlsx")
        path = tmp_path / "派案结果.xlsx"
        info.value.save_as(path)
        assert info.value.suggested_filename == "派案结果.xlsx"
        browser.close()
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = list(book["派案结果"].iter_rows(values_only=True))
    header = sheet[0]
    lawyer = {r[header.index("案件编号")]: r[header.index("律师编号")] for r in sheet[1:]}
    assert lawyer[first_case] == chosen and lawyer[second_case] != forbidden
    assert len(lawyer) == len(frame)
