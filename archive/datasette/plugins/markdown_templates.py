"""datasette-render-markdown (installed with datasette-dashboards) without its render_cell hook.

That hook looks up plugin configuration for every cell of every page — 40% of the time of a
1,000-row canned query — and this archive renders no cell as Markdown. Its template function
and Jinja tag, which the dashboards' markdown charts use, stay: plugins/__init__.py registers
this module in place of the original.
"""

from __future__ import annotations

import datasette_render_markdown as original
from datasette import hookimpl


@hookimpl
def extra_template_vars():
    return original.extra_template_vars()


@hookimpl
def prepare_jinja2_environment(env):
    return original.prepare_jinja2_environment(env)
