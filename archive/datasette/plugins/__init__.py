"""The govreports Datasette plugins, registered by ``python -m archive.datasette`` (see server.py).

- ``search``   — prepare_connection: Chinese full-text search (query split into bigrams).
- ``links``    — render_cell: original pages, raw-capture downloads, report-view links.
- ``captures`` — register_routes: ``/DB/-/capture/ID`` downloads one raw capture, decompressed.
- ``assets``   — register_routes, extra_css_urls, extra_js_urls: the pages' bit of CSS and JS.
- ``counts``   — asgi_wrapper: no row count on the pages of tables marked ``nocount`` (they are huge).
- ``markdown_templates`` — datasette-render-markdown's template parts, without its per-cell hook.

They are ordinary modules of the package (not a ``--plugins-dir``), so they install with it
and can import the rest of ``archive``.
"""

from . import assets, captures, counts, links, search

PLUGINS = {"govreports-search": search, "govreports-links": links, "govreports-captures": captures,
           "govreports-assets": assets, "govreports-counts": counts}


def register_all(pm) -> None:
    """Register the govreports plugins on Datasette's plugin manager (once)."""
    for name, module in PLUGINS.items():
        if not pm.is_registered(module):
            pm.register(module, name=name)
    if pm.get_plugin("render_markdown") is not None:  # its render_cell costs every page (markdown_templates.py)
        from . import markdown_templates

        pm.unregister(name="render_markdown")
        pm.register(markdown_templates, name="render_markdown_templates")
