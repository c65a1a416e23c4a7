"""Write the corpus of bad and odd inputs (tests/corpus/files/) and its manifest (cases.json).

    .venv/bin/python tests/corpus/make.py

Each case is a file a county clerk or a new city's staff could really produce, the command that
reads it, the exit status it must give and the words its message must (and must not) contain.
``tests/test_corpus.py`` runs every case. The cases are written here, by hand, one class of
problem after another; the generated files are committed so the corpus is reviewable.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
sys.path.insert(0, str(HERE.parents[1]))

from tests.corpus import make_excel, make_plans, make_tables, make_toml  # noqa: E402

CASES: list[dict] = []


def case(id: str, args: list[str], status: int, words: list[str], absent: list[str] | None = None) -> None:
    """One corpus case: ``args`` for ``legalaid`` ({files} = the files folder, {out} = a new folder)."""
    CASES.append({"id": id, "args": args, "status": status, "words": words, "absent": absent or []})


def main() -> int:
    shutil.rmtree(FILES, ignore_errors=True)
    FILES.mkdir(parents=True)
    for module in (make_tables, make_excel, make_plans, make_toml):
        module.write(FILES, case)
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    (HERE / "cases.json").write_text(json.dumps(CASES, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(CASES)} cases, {sum(1 for _ in FILES.rglob('*') if _.is_file())} files written to {FILES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
