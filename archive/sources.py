"""Where to crawl: the sources file (which portals, from which pages, on which hosts).

A source is one agency's portal (or one report column): a name, the pages a crawl starts from
and the exact hosts it may fetch from. Hosts are exact — ``www.example.gov.cn`` does not admit
``news.example.gov.cn`` — because report columns are re-hosted by spam mirrors and wiki copies
on look-alike domains (docs/PORTALS.md §6), and a gov portal's sub-domains are often other agencies.

    [[source]]
    name = "pingtan"
    agency = "平潭综合实验区管理委员会"
    start_urls = ["https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"]
    hosts = ["www.pingtan.gov.cn"]        # optional; host or host:port
    agencies = ["平潭综合实验区管理委员会"]  # optional: agencies expected to publish every year

`agencies` names the bodies whose reports the source should carry: each is expected every year
from the source's first archived report on, so one that never published shows as missing
(archive/compliance.py), not just absent.

A host without a port admits that host on the default ports of http and https (portals move
between the two); ``host:port`` admits that port only. No Scrapy here: the spider, the CLI and
tests all read sources through this module.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_DEFAULT_PORTS = {"http": 80, "https": 443}
_KEYS = {"name", "agency", "region", "start_urls", "hosts", "agencies"}


class SourcesError(ValueError):
    """The sources file cannot be read or says something that is not a usable source."""


@dataclass
class Source:
    """One portal to crawl: its start pages and the exact hosts it may fetch from."""

    name: str
    start_urls: list[str]
    hosts: list[str] = field(default_factory=list)
    agency: str | None = None
    region: str | None = None  # e.g. "福建省福州市平潭" — a facet of the archive
    agencies: list[str] = field(default_factory=list)  # expected to publish every year (compliance)

    def __post_init__(self) -> None:
        self.hosts = _merge_hosts(self.hosts, self.start_urls)

    def allows(self, url: str) -> bool:
        """True when the URL's host (and port) is one of this source's hosts."""
        return host_key(url) in self.hosts


def host_key(url: str) -> str | None:
    """The URL's host as sources name it: lower-case, without a default port (None if none)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def normalize_host(entry: str) -> str:
    """A hosts entry ("Host", "host:80", "https://host:8443/") in host_key's spelling."""
    text = entry.strip()
    if "://" not in text:
        text = "http://" + text
    key = host_key(text)
    if key is None:
        raise SourcesError(f"not a host: {entry!r}")
    key = key.removesuffix(":443")  # "host:443" written without a scheme means https on its default port
    return key


def _merge_hosts(hosts: list[str], start_urls: list[str]) -> list[str]:
    """The listed hosts plus the start URLs' own, normalized, in order, without repeats.

    A start URL's host is always admitted: a source whose first page is refused would crawl
    nothing, silently.
    """
    merged: list[str] = []
    for key in [normalize_host(h) for h in hosts] + [host_key(u) for u in start_urls]:
        if key and key not in merged:
            merged.append(key)
    return merged


def _check_url(url: object, where: str) -> str:
    """The URL, stripped, if it is an absolute http(s) URL with a host."""
    text = url.strip() if isinstance(url, str) else ""
    if urlsplit(text).scheme not in ("http", "https") or not host_key(text):
        raise SourcesError(f"{where}: start_urls needs http(s) URLs, got {url!r}")
    return text


def _source_from_table(table: object, where: str) -> Source:
    """One [[source]] table → Source, or SourcesError naming the entry and the problem."""
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: expected a table, got {type(table).__name__}")
    unknown = set(table) - _KEYS
    if unknown:
        raise SourcesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(_KEYS))})")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: 'name' is required (a non-empty string)")
    where = f"{where} ({name})"
    urls = table.get("start_urls")
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not urls:
        raise SourcesError(f"{where}: 'start_urls' is required (a non-empty list of URLs)")
    hosts = table.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise SourcesError(f"{where}: 'hosts' must be a list of strings")
    agency = table.get("agency")
    if agency is not None and not isinstance(agency, str):
        raise SourcesError(f"{where}: 'agency' must be a string")
    region = table.get("region")
    if region is not None and not isinstance(region, str):
        raise SourcesError(f"{where}: 'region' must be a string")
    agencies = table.get("agencies", [])
    if not isinstance(agencies, list) or not all(isinstance(a, str) and a.strip() for a in agencies):
        raise SourcesError(f"{where}: 'agencies' must be a list of agency names")
    start_urls = [_check_url(u, where) for u in urls]
    try:
        return Source(name.strip(), start_urls, hosts, agency, region, ["".join(a.split()) for a in agencies])
    except SourcesError as exc:  # a malformed hosts entry
        raise SourcesError(f"{where}: {exc}") from None


def parse_sources(text: str, origin: str = "<sources>") -> list[Source]:
    """Sources from the text of a sources file; `origin` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: not valid TOML: {exc}") from exc
    tables = data.get("source")
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{origin}: no [[source]] entries")
    extra = set(data) - {"source"}
    if extra:
        raise SourcesError(f"{origin}: unknown top-level key(s) {', '.join(sorted(extra))}")
    sources = [_source_from_table(t, f"{origin}: source #{i}") for i, t in enumerate(tables, 1)]
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise SourcesError(f"{origin}: source name {source.name!r} is used twice")
        seen.add(source.name)
    return sources


def load_sources(path: str | Path) -> list[Source]:
    """Sources from a TOML sources file (SourcesError if it is missing or malformed)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read sources file: {exc}") from exc
    return parse_sources(text, str(path))


def sources_from_urls(urls: list[str]) -> list[Source]:
    """Ad-hoc sources for start URLs given on the command line: one source per host.

    Grouping by host keeps each portal's page budget separate, as a sources file would.
    """
    by_host: dict[str, list[str]] = {}
    for url in urls:
        url = _check_url(url, "start URL")
        by_host.setdefault(host_key(url) or "", []).append(url)
    return [Source(name=host, start_urls=group) for host, group in by_host.items()]


def source_from_json(text: str) -> Source:
    """One source as a JSON object with the keys of a [[source]] table (how `govreports
    schedule` hands a source to a Scrapyd job on another machine, which has no sources file)."""
    import json

    try:
        table = json.loads(text)
    except ValueError as exc:
        raise SourcesError(f"source: not valid JSON: {exc}") from exc
    return _source_from_table(table, "source")


def source_to_json(source: Source) -> str:
    import json

    table = {"name": source.name, "start_urls": source.start_urls, "hosts": source.hosts}
    table.update({k: v for k, v in (("agency", source.agency), ("region", source.region),
                                    ("agencies", getattr(source, "agencies", None))) if v})
    return json.dumps(table, ensure_ascii=False)
