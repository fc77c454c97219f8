"""`pycert version` and `pycert --version`: what is installed, one name and version a line.

cockroach's `version` prints its build; pycert's build is pycert plus the cryptography
and OpenSSL that do its crypto, which is what a bug report needs.
"""

from __future__ import annotations

from typing import Any

import click

from pycert.cli.cobra import command, write_out
from pycert.errors import CertError
from pycert.gocompat import go_quote


def version_text() -> str:
    """`pycert X`, `cryptography Y`, then OpenSSL's own version line."""
    import cryptography
    from cryptography.hazmat.backends.openssl.backend import backend

    import pycert

    return (f"pycert {pycert.__version__}\ncryptography {cryptography.__version__}\n"
            f"{backend.openssl_version_text()}\n")


@click.option("--build-tag", is_flag=True,
              help="Print only pycert's version, as cockroach's --build-tag prints its tag.")
@click.argument("args", nargs=-1)
def _version(args: tuple[str, ...], build_tag: bool, **_: Any) -> None:
    import pycert

    if args:  # cobra.NoArgs, as cockroach's `version`
        raise CertError(f"unknown command {go_quote(args[0])} for \"cockroach version\"",
                        prefixed=False)
    write_out(f"{pycert.__version__}\n" if build_tag else version_text())


COMMANDS = [command(_version, "version", "[flags]", path="")]
