"""Crawling from many machines into one archive, on Redis (no Scrapy here).

A crawl that outgrows one machine is bound by politeness, not CPU: thousands of portals, each
fetched slowly. So the unit of work is the source (one [[source]] of sources.toml): a worker
job (a Scrapyd job, or `govreports crawl --queue`) takes a lease on the source and on its hosts
(`leases.py`), fetches and reads its documents, and appends each one to a Redis Stream
(`stream.py`); one writer (`writer.py`, `govreports ingest`) reads the stream through a consumer
group into the archive with the local crawl's storage code, and publishes each source's state
back (`state.py`) so the next job crawls incrementally. `scrapyd.py` deploys the project to
Scrapyd nodes and schedules one job per source; `status.py` says what is running and how far
the writer is behind.
"""
