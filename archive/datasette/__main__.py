"""``python -m archive.datasette …``: Datasette's own command line, with the govreports plugins loaded."""

from datasette.cli import cli
from datasette.plugins import pm

from .plugins import PLUGINS

for name, module in PLUGINS.items():
    if not pm.is_registered(module):
        pm.register(module, name=name)

cli(prog_name="datasette")
