"""Items the spiders yield: one fetched document, with what the archive needs to keep it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageImage:
    """An image of a report page (its tables pasted as a picture), fetched with the page."""

    url: str
    content_type: str | None
    body: bytes


@dataclass
class DocumentItem:
    """A fetched page or attachment, raw: the pipeline captures, parses and stores it.

    `role` says why it was fetched: "candidate" (a page that may be a report: its link text,
    title or URL says so), "attachment" (a .pdf/.doc/.docx/.wps linked from a candidate) or
    "listing" (a column/list page, captured but never parsed as a report).
    """

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # ISO 8601, UTC
    role: str = "candidate"
    source: str | None = None  # name of the source (sources file entry) it was found under
    link_text: str | None = None  # the text of the link that led here
    referer: str | None = None
    parent_url: str | None = None  # for attachments: the report page that links them
    parent_title: str | None = None  # that page's title (an attachment often has none of its own)
    request_url: str | None = None  # the URL asked for, when a redirect led to `url`
    not_modified: bool = False  # the server answered 304 to a conditional request
    extra: dict[str, str] = field(default_factory=dict)
    images: list[PageImage] = field(default_factory=list)  # a report page's table images, in page order


@dataclass
class GoneItem:
    """A previously archived URL that now answers 404/410 after retries (a removed report)."""

    url: str
    status: int
    fetched_at: str
    source: str | None = None
