"""Screenshots of every page of ``legalaid serve`` into docs/ (Debian's chromium via Playwright).

Usage: .venv/bin/python scripts/web_screenshots.py [--out docs] [--chromium /usr/bin/chromium]
Runs the example year through the pages as a dispatcher would: a broken upload, a dispatch, one
change, one 回避, a re-run, the brief, a budget scenario, the history.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)

    import pandas as pd
    from playwright.sync_api import sync_playwright

    from legalaid.report.inputs import write_example
    from legalaid.web.server import start_in_thread
    from scenarios.example import generate_example
    from scenarios.plans import load_plan

    tmp = Path(tempfile.mkdtemp(prefix="shots-"))
    files = write_example(generate_example(load_plan("anqing-2023"), month=6, seed=0), tmp / "example", fmt="xlsx")
    cases = pd.read_excel(files["cases"], engine="calamine")
    cases.loc[2, "案件类型"] = "刑诉"
    cases.loc[6, "地区"] = "宿松镇"
    cases.loc[9, "审级"] = "三审"
    broken = tmp / "案件表（有误）.csv"
    cases.to_csv(broken, index=False, encoding="utf-8-sig")
    server, url = start_in_thread(tmp / "data")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--lang=zh-CN"])
        page = browser.new_page(locale="zh-CN", viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(url + "data")
        page.fill("#user", "张三")
        page.click("#set-user")
        for table, path in files.items():
            page.set_input_files(f"#file-{table}", str(path))
        page.click("#upload")
        page.set_input_files("#file-cases", str(broken))
        page.set_input_files("#file-lawyers", str(files["lawyers"]))
        page.click("#upload")
        page.locator("#result").scroll_into_view_if_needed()
        page.screenshot(path=out / "web-data.png", full_page=True)
        page.goto(url + "dispatch")
        page.click("#run")
        page.wait_for_selector("#cases tbody tr")
        rows = page.locator("#cases tbody tr")
        first, second = rows.nth(0).get_attribute("data-case"), rows.nth(7).get_attribute("data-case")
        page.goto(url + f"dispatch/case/{first}")
        page.locator("#options tbody tr").nth(2).locator("input[type=radio]").check()
        page.fill("#change-reason", "受援人要求")
        page.click("#change")
        page.goto(url + f"dispatch/case/{second}")
        page.fill("#exclude-reason", "曾为对方当事人代理")
        page.click("#exclude")
        page.screenshot(path=out / "web-case.png")
        page.goto(url + "dispatch")
        page.click("#run")
        page.wait_for_selector("#cases tbody tr")
        page.goto(url + "dispatch?region=wangjiang")
        page.screenshot(path=out / "web-dispatch.png")
        page.goto(url + "dispatch?only=adjusted")
        page.screenshot(path=out / "web-dispatch-adjusted.png")
        page.goto(url + "brief")
        page.fill("input[name=runs]", "200")
        page.click("#make-brief")
        page.wait_for_selector("#front")
        page.screenshot(path=out / "web-brief.png")
        page.locator(".charts").evaluate("e => e.scrollIntoView()")
        page.screenshot(path=out / "web-brief-charts.png")
        page.goto(url + "budget")
        page.fill("#all-upper_funds", "-20")
        page.click("#evaluate")
        page.wait_for_selector("#compare")
        page.locator("#compare").scroll_into_view_if_needed()
        page.screenshot(path=out / "web-budget.png")
        page.goto(url + "history")
        page.screenshot(path=out / "web-history.png")
        browser.close()
    server.close()
    print("written:", ", ".join(sorted(p.name for p in out.glob("web-*.png"))))


if __name__ == "__main__":
    main()
