"""``legalaid serve`` as a user starts it: the printed address answers; the history survives a restart."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from legalaid.web.history import History, sqlite_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data_dir):
    proc = subprocess.Popen([sys.executable, "-m", "legalaid", "serve", "--data", str(data_dir), "--port",
                             str(_free_port())], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, line + proc.stderr.read() if proc.poll() is not None else line
    return proc, match[0], line


def _stop(proc) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
        raise
    return err


class Browser:
    """A cookie-keeping HTTP client (one session)."""

    def __init__(self, url):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path) -> str:
        with self.opener.open(self.url + path.lstrip("/"), timeout=60) as r:
            return r.read().decode()

    def post(self, path, **form) -> str:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.url + path.lstrip("/"), data=data, timeout=60) as r:
            return r.read().decode()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_history_survives_a_server_restart(tmp_path):
    data = tmp_path / "数据"
    proc, url, line = _start(data)
    try:
        assert "法律援助工作规划网页已启动" in line
        web = Browser(url)
        assert "数据" in web.get("/")
        web.post("/user", user="李四")
        web.post("/data/example", plan="anqing-2023", month="6")
        page = web.post("/dispatch/run")
        case = re.search(r'data-case="([^"]+)"', page)[1]
        web.post(f"/dispatch/case/{case}/exclude", lawyer="", reason="曾代理对方当事人")
    finally:
        err = _stop(proc)
    assert "Traceback" not in err
    before = History(sqlite_url(data)).frame()
    assert list(before["action"]) == ["exclude", "dispatch", "inputs"]
    proc, url, _ = _start(data)
    try:
        html = Browser(url).get("/history")
    finally:
        _stop(proc)
    assert "共 3 条" in html and "曾代理对方当事人" in html and "李四" in html and case in html


def test_serve_refuses_a_file_as_data_folder(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("mine", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "legalaid", "serve", "--data", str(f)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "--data 应为文件夹" in r.stderr and f.read_text(encoding="utf-8") == "mine"


def test_serve_says_when_the_port_is_taken(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "legalaid", "serve", "--data", str(tmp_path / "d"), "--port",
                            str(port)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "端口已被占用" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("url", ["nosuchdb://x/y", "sqlite:////nonexistent-dir/sub/h.sqlite"])
def test_serve_says_when_the_database_url_is_unusable(tmp_path, url):
    r = subprocess.run([sys.executable, "-m", "legalaid", "serve", "--data", str(tmp_path / "d"), "--db", url,
                        "--port", str(_free_port())], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--db 给出的数据库地址不可用" in r.stderr and "Traceback" not in r.stderr
