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

try:
    from legalaid.cli import main
except KeyboardInterrupt:  # Ctrl-C while the toolkit is still loading: nothing was written
    print("已中断，未写入任何结果（原有文件未改动）。", file=sys.stderr)
    sys.exit(130)

try:
    status = main()
except KeyboardInterrupt:  # Ctrl-C between two steps the command line guards itself
    from legalaid.cli import _interrupted

    status = _interrupted()
sys.exit(status)
