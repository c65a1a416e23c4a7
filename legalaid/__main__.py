"""``python -m legalaid``, from any folder.

Python puts the current folder first on the module path; a folder that happens to hold a
``scenarios/`` (or ``allocation/``, ``simulation/``) subfolder would then shadow the toolkit's
own packages. The folder the ``legalaid`` package was found in holds its sibling packages, so it
goes first.
"""

import os
import sys

_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path[:1] != [_HOME]:
    sys.path.insert(0, _HOME)
for _name in ("scenarios", "allocation", "simulation"):
    _module = sys.modules.get(_name)
    if _module is not None and not str(getattr(_module, "__file__", "") or "").startswith(_HOME):
        del sys.modules[_name]

from legalaid.cli import main  # noqa: E402

sys.exit(main())
