"""Publication compliance: did each agency publish its annual report, and by the deadline?

The 政府信息公开条例 (art. 49) sets the deadlines for the report on year Y: a department's
(部门, and every other body — offices, 街道办事处, 乡镇) by 31 January of Y+1, a local people's
government's (县级以上 本级人民政府) by 31 March of Y+1. An agency whose name ends in 人民政府 is a
government; every other agency is not — nor is a township's (…镇人民政府, …乡人民政府): art. 49
gives the 31 March date to 县级以上 governments only, and the 乡镇 publish by 31 January.

An agency is expected every year from its first archived report on — or, when a sources file
lists it under a source's `agencies`, from that source's first archived report — up to the
latest year whose deadline has passed ("today" is a parameter: tests and replays pass a date;
the default is today's date in Beijing, where the deadlines run). Each expected (agency, year):

- ``on_time`` — published on or before the deadline (by the date the report page prints; a
  report printing none counts as on time if the archive saw it by the deadline);
- ``late`` — published after it, ``days_late`` days after;
- ``missing`` — no report archived;
- ``undated`` — archived, but it prints no publication date and was first seen after the
  deadline, so whether it came late cannot be told (never guessed).

After every crawl (and import) the judgement is written to the ``compliance`` table (for
Datasette), each new or changed report's main figures to ``report_figures``, and a
``missing`` alert is raised once per agency and year — for the latest report that is overdue
and for every deadline that passes while the archive watches the agency (from the day it first
saw one of its reports, or its source's): a first crawl tells that this year's report is
missing, but does not alert about gaps years old, which the table shows anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .storage.alerts import PENDING
from .storage.db import Archive, now_iso

BEIJING = timezone(timedelta(hours=8))
GOVERNMENT_SUFFIX = "人民政府"
TOWNSHIP = ("镇", "乡")  # 城关镇人民政府, 民族乡人民政府: 乡镇, due 31 January
STATUSES = ("on_time", "late", "missing", "undated")


def is_government(agency: str) -> bool:
    """A county-level or higher people's government (deadline 31 March), by the name's ending."""
    name = "".join(agency.split())
    return name.endswith(GOVERNMENT_SUFFIX) and not name.removesuffix(GOVERNMENT_SUFFIX).endswith(TOWNSHIP)


def due_date(agency: str, year: int) -> date:
    """The last day on which the report on `year` is on time (条例 art. 49)."""
    return date(year + 1, 3, 31) if is_government(agency) else date(year + 1, 1, 31)


def today_in_beijing() -> date:
    return datetime.now(BEIJING).date()


def latest_due_year(agency: str, today: date) -> int:
    """The latest year whose report was due before `today` (the deadline day itself still counts)."""
    year = today.year
    while due_date(agency, year) >= today:
        year -= 1
    return year


def day_of(text: str | None) -> date | None:
    """'2025-01-20' or '2025-01-20T08:00:00+00:00' → date; None for anything else."""
    try:
        return date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


@dataclass
class Assessment:
    """One expected (agency, year) and what became of it."""

    agency: str
    year: int
    status: str
    due: date
    published: date | None = None
    days_late: int | None = None
    source: str | None = None
    region: str | None = None
    report_id: str | None = None
    watched_since: date | None = None  # since when the archive expected this agency

    def as_json(self) -> dict[str, Any]:
        """The command's JSON keys, exactly."""
        return {
            "agency": self.agency,
            "year": self.year,
            "status": self.status,
            "due": self.due.isoformat(),
            "published": self.published.isoformat() if self.published else None,
            "days_late": self.days_late,
        }

    def as_row(self, assessed_on: date) -> dict[str, Any]:
        """A row of the `compliance` table."""
        return {
            **self.as_json(),
            "source": self.source,
            "region": self.region,
            "kind": "government" if is_government(self.agency) else "department",
            "report_id": self.report_id,
            "assessed_on": assessed_on.isoformat(),
        }


def _judge(agency: str, year: int, report: dict[str, Any]) -> tuple[str, date | None, int | None]:
    due = due_date(agency, year)
    published = day_of(report.get("published"))
    if published is not None:
        late = (published - due).days
        return ("late", published, late) if late > 0 else ("on_time", published, 0)
    first_seen = day_of(report.get("first_seen"))
    if first_seen is not None and first_seen <= due:
        return "on_time", None, 0
    return "undated", None, None


def assess(reports: Iterable[dict[str, Any]], listings: dict[str, list[str]], today: date) -> list[Assessment]:
    """Judge every expected (agency, year). `reports`: dicts with agency, year, published,
    first_seen, region, source, report_id (Archive.compliance_inputs); `listings`: source →
    the agencies its sources entry lists."""
    by_agency: dict[str, dict[int, dict[str, Any]]] = {}
    source_year: dict[str, int] = {}  # a source's first archived report year
    source_seen: dict[str, date] = {}  # the day the archive first saw one of its reports
    for report in reports:
        year, source, first = int(report["year"]), report.get("source"), day_of(report.get("first_seen"))
        by_agency.setdefault(report["agency"], {})[year] = report
        if source:
            source_year[source] = min(source_year.get(source, year), year)
            if first:
                source_seen[source] = min(source_seen.get(source, first), first)
    listed: dict[str, str] = {}
    for source, agencies in listings.items():
        for agency in agencies:
            listed.setdefault("".join(agency.split()), source)

    out: list[Assessment] = []
    for agency in sorted(set(by_agency) | set(listed)):
        years = by_agency.get(agency, {})
        earliest = years[min(years)] if years else None
        starts = [min(years)] if years else []
        seen = [d for d in (day_of(r.get("first_seen")) for r in years.values()) if d]
        source = earliest.get("source") if earliest else None
        if agency in listed and listed[agency] in source_year:
            source = source or listed[agency]
            starts.append(source_year[listed[agency]])
            seen += [source_seen[listed[agency]]] if listed[agency] in source_seen else []
        if not starts:
            continue  # listed, but its source has archived nothing yet
        region = next((r.get("region") for r in years.values() if r.get("region")), None)
        wanted = set(range(min(starts), latest_due_year(agency, today) + 1)) | set(years)
        for year in sorted(wanted):
            due = due_date(agency, year)
            report = years.get(year)
            if report is None:
                out.append(Assessment(agency, year, "missing", due, source=source, region=region,
                                      watched_since=min(seen) if seen else None))
                continue
            status, published, days_late = _judge(agency, year, report)
            out.append(Assessment(agency, year, status, due, published, days_late,
                                  report.get("source") or source, report.get("region") or region,
                                  report.get("report_id"), min(seen) if seen else None))
    return out


def assess_archive(archive: Archive, today: date | None = None) -> list[Assessment]:
    return assess(archive.compliance_inputs(), archive.source_agencies(), today or today_in_beijing())


@dataclass
class Refresh:
    today: date
    assessments: list[Assessment]
    alerted: list[Assessment]
    figures: int = 0  # report_figures rows (re)written

    def count(self, status: str) -> int:
        return sum(1 for a in self.assessments if a.status == status)

    def line(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s.replace('_', ' ')}" for s in STATUSES)
        return f"publication compliance as of {self.today}: {counts}; {len(self.alerted)} newly missing alerted"


def refresh(archive: Archive, today: date | None = None) -> Refresh:
    """Rewrite the compliance table and raise a `missing` alert, once, for each (agency, year)
    overdue: the latest due year, and any year whose deadline passed while the archive watched."""
    today = today or today_in_beijing()
    figures = archive.refresh_report_figures()  # the regional figures, brought up to date at the same point
    found = assess_archive(archive, today)
    archive.replace_compliance([a.as_row(today) for a in found])
    done = archive.missing_alerted()
    alerted = []
    with archive.transaction():
        for a in found:
            if a.status != "missing" or (a.agency, a.year) in done:
                continue
            old_gap = a.watched_since is None or a.due < a.watched_since
            if old_gap and a.year < latest_due_year(a.agency, today):
                continue  # an old gap, past before the archive knew the agency: in the table, not alerted
            title = f"{a.agency}{a.year}年政府信息公开工作年度报告（逾期未发布，应于 {a.due.isoformat()} 前发布）"
            if archive.insert_alert_once(_missing_alert(a, title)):
                alerted.append(a)
    return Refresh(today, found, alerted, figures)


def _missing_alert(a: Assessment, title: str) -> dict[str, Any]:
    return {
        "kind": "missing",
        "report_id": None,
        "version": None,
        "url": None,
        "agency": a.agency,
        "year": a.year,
        "title": title,
        "changed_fields": json.dumps([], ensure_ascii=False),
        "detected_at": now_iso(),
        "delivery_state": PENDING,
        "attempts": 0,
    }
