"""Scrapy settings for govreports: polite by default, every knob overridable with ``-s NAME=VALUE``.

Government portals are small servers run by small offices; the archive revisits them for years.
So: obey robots.txt, say who we are, two connections per host at most, a second between
requests (AutoThrottle may slow further, never speed past DOWNLOAD_DELAY), and back off
exponentially when a server answers 5xx/429.
"""

BOT_NAME = "govreports"

SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- who we are, and manners -------------------------------------------------------------
USER_AGENT = "govreports/0.1 (+https://github.com/govreports/govreports; research archive of 政府信息公开年报)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1
DOWNLOAD_DELAY_JITTER = 0.5  # ±50%: requests do not arrive like clockwork

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # a scanned-report PDF can be tens of MB; nothing real is larger
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
# A report page whose statistics tables are pictures (spiders/page_images.py): its images are
# fetched with it and read by OCR as its tables — at most this many, each at most this many
# bytes once decompressed (0 images: never fetched).
GOVREPORTS_PAGE_IMAGES = 12
GOVREPORTS_PAGE_IMAGE_MAXSIZE = 5 * 1024 * 1024

# --- how far a crawl goes -----------------------------------------------------------------
# home → 政务公开 → 政府信息公开 → 年报 column → 部门/乡镇 sub-column → report → attachment is 6 hops;
# list pages 2..N keep their first page's depth (see spiders/reports.py).
DEPTH_LIMIT = 8
GOVREPORTS_MAX_PAGES_PER_SOURCE = 5000  # requests per source before the crawl of it stops
GOVREPORTS_MAX_LIST_PAGES = 200  # pages of one list (index_1 … index_N) followed at most
GOVREPORTS_MAX_QUERY_LENGTH = 200  # longer query strings are session/search traps
GOVREPORTS_SITEMAPS = True  # read robots.txt Sitemap: lines (else /sitemap.xml) for column URLs

# --- errors and retries -------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubled for each further one
RETRY_BACKOFF_MAX = 60.0  # never wait longer than this between two tries

# The spider sees these: 404/410 of an archived URL means the report was removed, 304 that it
# is unchanged.
HTTPERROR_ALLOWED_CODES = [304, 404, 410]

# --- components ---------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Before RobotsTxtMiddleware (100): a foreign host's robots.txt is not fetched either.
    "crawler.middlewares.HostAllowlistMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # process_response runs from high to low: after decompression (590) and redirects (600).
    "crawler.middlewares.CharsetFixMiddleware": 560,
    # Next to the downloader: sees every attempt (retried 500s, redirects, timeouts).
    "crawler.middlewares.FetchLogMiddleware": 950,
}
GOVREPORTS_HOST_ALLOWLIST = True
GOVREPORTS_CHARSET_FIX = True

# The archive `scrapy crawl reports` writes to (the govreports CLI passes its --db here).
GOVREPORTS_DB = "archive.db"

ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 300,
    "crawler.stream_pipeline.StreamPipeline": 310,  # instead of ArchivePipeline when GOVREPORTS_QUEUE is set
}

# --- crawling from many machines (archive/cluster/; README "Scale out") ------------------------
# A Redis URL (redis://HOST:PORT/DB): documents go to its stream for `govreports ingest`, not to an archive.
GOVREPORTS_QUEUE = None
GOVREPORTS_LEASE_TTL = 60  # seconds a job's source and host leases outlive it (renewed while it runs)
GOVREPORTS_LEASE_WAIT = 3600  # seconds a job waits for a host another source's job is crawling
GOVREPORTS_STATE_WAIT = 300  # seconds a job waits for the writer to commit the source's previous job
GOVREPORTS_STREAM_MAX_ENTRIES = 20000  # workers wait while the writer is this far behind (0: never)

# --- plumbing -----------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"  # read by Scrapy 2.7–2.11 (pyproject allows ≥2.11); later ones ignore it
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
COOKIES_ENABLED = True  # some CMSs set a session cookie on the first page and want it back

# Parsing runs in worker processes while the item waits; Scrapy's default 5 MB cap on responses
# in the scraper would stall downloads behind a few large pages. Memory stays bounded by it.
# (What waits is only bytes: spiders/release.py drops each page's parsed tree when its callback
# is done — the trees, ~10× the bytes, were most of a 3,000-page crawl's peak memory.)
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 40_000_000
GOVREPORTS_PARSE_WORKERS = 1
# One hostile document costs one document (archive/parse_pool.py): each parse worker may use this
# much address space, and each document this many seconds (then: recorded unreadable, capture kept,
# read again by the next crawl — at most 3 times while its bytes stay the same).
GOVREPORTS_PARSE_MEMORY_MB = 2048
# The time budget is twice the reader's own OCR budget (archive/parsing/ocr.py: 60 s a document,
# checked between pages): a scan past that budget stops after the page under way (~3–12 s) and is
# archived with the pages it read; this hard limit is only for a document the reader cannot bound.
GOVREPORTS_PARSE_TIME_BUDGET = 120
# Parse workers start with the first document to read and are replaced by fresh ones after this
# many documents (0: never), so what a long crawl leaves in a worker's heap goes with it.
GOVREPORTS_PARSE_RECYCLE_AFTER = 500

# A recrawl rechecks an archived report only when its last check is older than this (hours):
# a daily schedule rechecks every report daily; an hourly one, each report about once a day.
# 0 rechecks everything on every run.
GOVREPORTS_RECHECK_AFTER_HOURS = 20

# On a recrawl, a list page showing only archived reports ends the walk through that list's
# pages (lists run newest first) — only if the previous walk of that list reached its end and the
# previous run finished (spiders/list_walks.py). False walks every page again.
GOVREPORTS_INCREMENTAL_LISTS = True
