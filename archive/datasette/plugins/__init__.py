"""The govreports Datasette plugins, registered by ``python -m archive.datasette`` (see server.py).

- ``search``   — prepare_connection: Chinese full-text search (query split into bigrams).
- ``links``    — render_cell: original pages, raw-capture downloads, report-view links.
- ``captures`` — register_routes: ``/DB/-/capture/ID`` downloads one raw capture, decompressed.
- ``assets``   — register_routes, extra_css_urls, extra_js_urls: the pages' bit of CSS and JS.

They are ordinary modules of the package (not a ``--plugins-dir``), so they install with it
and can import the rest of ``archive``.
"""

from . import assets, captures, links, search

PLUGINS = {"govreports-search": search, "govreports-links": links, "govreports-captures": captures,
           "govreports-assets": assets}
