"""Every notebook in notebooks/ runs top to bottom without error, and is stored without outputs."""

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.fixture
def kernel_here(tmp_path_factory, monkeypatch) -> str:
    """A "python3" kernelspec that runs this very interpreter (no user-level install needed).

    An installed spec may say just "python" (whatever is first on PATH); this one is found first
    through JUPYTER_PATH and starts ``sys.executable -m ipykernel_launcher``.
    """
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (tests)", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(root))
    return "python3"


def parameters_index(nb) -> int:
    """Index of the first code cell, which must be tagged "parameters" (papermill convention)."""
    index = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    assert "parameters" in nb.cells[index].metadata.get("tags", []), "first code cell must be tagged parameters"
    return index


def test_there_are_notebooks():
    """notebooks/ holds the budget notebook at least."""
    assert any("budget" in p.name for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_stripped_with_tagged_parameters(path):
    """Committed notebooks carry no outputs or execution counts; parameters are in the first code cell."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    parameters_index(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, kernel_here):
    """Run the notebook in a fresh python3 kernel (working folder tmp_path), writing its outputs to tmp_path.

    ``out_dir`` is injected after the parameters cell, as papermill does. The kernel runs this
    test's interpreter (fixture ``kernel_here``).
    """
    nb = nbformat.read(path, as_version=4)
    index = parameters_index(nb)
    out = tmp_path / "out"
    injected = nbformat.v4.new_code_cell(f"out_dir = {str(out)!r}", metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, injected)
    client = NotebookClient(nb, kernel_name=kernel_here, timeout=300, resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    images = sum("image/png" in o.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
                 for o in cell.outputs)
    assert images >= 1, "the notebook shows its charts"
    assert out.is_dir() and any(out.iterdir()), "the notebook writes its results when out_dir is set"
