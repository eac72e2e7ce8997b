"""``python -m archive.datasette …``: Datasette's own command line, with the govreports plugins loaded."""

from datasette.cli import cli
from datasette.plugins import pm

from .plugins import register_all

register_all(pm)

cli(prog_name="datasette")
