"""The command line: click commands that parse flags, call the API and print results.

`main` is the console script; the command tree is built in `pycert.cli.app`.
"""

from __future__ import annotations

import sys
import warnings


def main(argv: list[str] | None = None) -> None:
    """The `pycert` console script (and `python -m pycert`)."""
    if argv is None:  # the process is ours: Ctrl-C exits 130, never lost (pycert.interrupt)
        from pycert.interrupt import handle_sigint

        handle_sigint()
        if not sys.warnoptions:  # as Python's docs advise an application: a dependency's
            warnings.simplefilter("ignore")  # deprecation notes are not the user's to read
    from pycert.cli.app import main as run_main

    run_main(argv)
