"""The command line: click commands that parse flags, call the API and print results.

`main` is the console script; the command tree is built in `pycert.cli.app`.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> None:
    """The `pycert` console script (and `python -m pycert`)."""
    if argv is None:  # the process is ours: Ctrl-C exits 130, never lost (pycert.interrupt)
        from pycert.interrupt import handle_sigint

        handle_sigint()
    from pycert.cli.app import main as run_main

    run_main(argv)
