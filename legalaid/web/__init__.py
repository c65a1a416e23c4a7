"""``legalaid serve``: the dispatcher's and the bureau's web page (issue 14).

One process: a Flask application (``app``) served by waitress (``server``), pure Python, every
asset (templates, CSS, JS, charts) served by itself, no CDN. Pages: 数据 (``pages_data``), 派案
(``pages_dispatch``), 通报 (``pages_brief``), 经费 (``pages_budget``), 历史 (``pages_history``).

Layout
------
- ``workspace``: one workspace per browser session (its own uploads, inputs, dispatch, decisions,
  under its own lock), so two users never see or overwrite each other's runs.
- ``overrides``: what a dispatcher may change: the lawyers the rules allow for a case (with why
  each is worse or better than the current one), and the re-run that keeps accepted and changed
  assignments as pinned and honours 回避 (excluded lawyers).
- ``history``: every override and dispatch run in a SQLAlchemy database (SQLite in the data
  folder by default, or any SQLAlchemy URL).
- ``template``: the blank 填报模板 workbook (headers and dropdowns).
- ``words``: the Chinese text the pages add on top of ``legalaid.report``.

Everything the engines compute goes through ``legalaid.api``; every table comes from
``legalaid.report``, so the page and the command line say the same things.
"""
