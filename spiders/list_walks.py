"""Which report lists a crawl walked to their end: the condition for cutting a recrawl short.

Lists run newest first, so on a recrawl a page that shows only archived reports means the
rest of the list holds nothing new — but only if the archive already holds the rest, that is,
if the previous walk of that list reached its end. A walk that a killed run, a failed page or
item, or a page budget cut off did not; its list is walked in full next time.
"""

from __future__ import annotations

from .links import list_key


class ListWalks:
    """Per list (links.list_key): walked this run, and whether anything in it failed."""

    def __init__(self) -> None:
        self.previously_complete: set[str] = set()  # the archive's, filled before the crawl
        self.sources: dict[str, str] = {}  # list → source name, for the archive's rows
        self._walked: set[str] = set()
        self._broken: set[str] = set()

    def may_cut_short(self, page_url: str) -> bool:
        return list_key(page_url) in self.previously_complete

    def walked(self, page_url: str, source: str) -> None:
        key = list_key(page_url)
        self._walked.add(key)
        self.sources.setdefault(key, source)

    def broken(self, page_url: str | None, source: str | None = None) -> None:
        """A page of the list, or an item it links, was not fetched (error, budget): the
        walk does not count as reaching the end."""
        if page_url:
            key = list_key(page_url)
            self._broken.add(key)
            self._walked.add(key)
            if source:
                self.sources.setdefault(key, source)

    def results(self, finished: bool) -> dict[str, bool]:
        """list → whether its walk reached its end (no list did, in a run that did not finish)."""
        return {key: finished and key not in self._broken for key in self._walked}
