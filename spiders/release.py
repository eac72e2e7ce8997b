"""A fetched page keeps only its bytes once its callback is done.

A page's items wait in the scraper until the parse workers have read them (parsing is slower
than fetching), and the response waits with them. SCRAPER_SLOT_MAX_ACTIVE_SIZE bounds the
*bytes* waiting, but a response whose callback used ``response.xpath`` also holds its lxml
tree and its decoded text, together ~10× its bytes and invisible to that bound: on a
3,000-page portal those made most of the crawl's peak memory. The callbacks of the spider
are wrapped so both are dropped once the callback has yielded everything.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from scrapy.http import Response, TextResponse


def release(response: Response) -> None:
    """Forget the response's parsed tree and decoded text (rebuilt if asked for again)."""
    if isinstance(response, TextResponse):
        response._cached_selector = None
        response._cached_ubody = None


def releases_tree(callback: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """Decorate a spider callback: `release` its response when the callback is done."""

    @functools.wraps(callback)
    def wrapper(self: Any, response: Response, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from callback(self, response, *args, **kwargs)
        finally:
            release(response)

    return wrapper
