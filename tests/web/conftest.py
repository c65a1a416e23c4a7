"""Fixtures for the web page: an app over a fresh data folder, the example year as files."""

from __future__ import annotations

import functools
from html.parser import HTMLParser

import pytest

PLAN = "anqing-2023"


@functools.lru_cache(maxsize=1)
def _example_data():
    from scenarios.example import generate_example
    from scenarios.plans import load_plan

    return generate_example(load_plan(PLAN), month=6, seed=0)


@pytest.fixture
def example_files(tmp_path):
    """The Anqing example year written as the user would upload it (xlsx, Chinese headers)."""
    from legalaid.report.inputs import write_example

    return write_example(_example_data(), tmp_path / "example", fmt="xlsx")


@pytest.fixture
def app(tmp_path):
    from legalaid.web.app import create_app

    app = create_app(tmp_path / "data")
    app.config["TESTING"] = False   # errors go through the Chinese error pages, as in use
    yield app
    app.extensions["legalaid"]["history"].dispose()


def login(client, name="张三"):
    client.post("/user", data={"user": name})
    return client


@pytest.fixture
def client(app):
    return login(app.test_client())


def workspace(client):
    """The workspace behind a test client's session."""
    app = client.application
    with client.session_transaction() as s:
        key = s["ws"]
    return app.extensions["legalaid"]["workspaces"].get(key)


class _Cells(HTMLParser):
    def __init__(self, table_id):
        super().__init__()
        self.want, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.want:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_cells(html: str, table_id: str) -> tuple[list[str], list[list[str]]]:
    """The header and body cells of the table with ``id`` in a page."""
    parser = _Cells(table_id)
    parser.feed(html)
    return parser.rows[0], parser.rows[1:]
