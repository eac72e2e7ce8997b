"""Change alerts: one row per event (new, revised, text_revised, moved, removed; and missing — a report
not published by its deadline, raised by archive/compliance.py), delivered once.

Delivery goes through Apprise, so any of its URLs works (json://, mailto://, slack://,
wecombot://, dingtalk:// …). An alert is marked delivered only when every target accepted it;
a failed delivery stays pending and is retried on the next run — never lost, never repeated.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from .db import Archive, now_iso

log = logging.getLogger(__name__)

PENDING, DELIVERED, NO_TARGET = "pending", "delivered", "undelivered"


def raise_alert(
    archive: Archive,
    *,
    kind: str,
    report: dict[str, Any],
    version: int | None,
    changes: list[dict[str, Any]] | None = None,
    at: str | None = None,
) -> int:
    fields = [
        {"field": c["field"], "label_zh": c["label_zh"], "old": c["old"], "new": c["new"]} for c in (changes or [])
    ]
    return archive.insert_row(
        "alerts",
        {
            "kind": kind,
            "report_id": report["id"],
            "version": version,
            "url": report.get("url"),
            "agency": report.get("agency"),
            "year": report.get("year"),
            "title": report.get("title"),
            "changed_fields": json.dumps(fields, ensure_ascii=False),
            "detected_at": at or now_iso(),
            "delivery_state": PENDING,
            "attempts": 0,
        },
    )


def list_alerts(archive: Archive, since: str | None = None) -> list[dict[str, Any]]:
    sql = "select * from alerts" + (" where detected_at >= ?" if since else "") + " order by id"
    rows = []
    for row in archive.db.query(sql, [since] if since else []):
        fields = json.loads(row["changed_fields"] or "[]")
        rows.append(
            {
                "id": row["id"],
                "kind": row["kind"],
                "url": row["url"],
                "agency": row["agency"],
                "year": row["year"],
                "title": row["title"],
                "version": row["version"],
                "changed_fields": [f["field"] for f in fields],
                "changes": fields,
                "detected_at": row["detected_at"],
                "delivery_state": row["delivery_state"],
            }
        )
    return rows


def alert_message(alert: dict[str, Any]) -> tuple[str, str]:
    """(title, body) of a notification, in Chinese with the keys a script can match."""
    what = {"new": "新报告", "revised": "数字修订", "text_revised": "文字修订", "removed": "已删除",
            "missing": "逾期未发布", "moved": "已迁移"}[alert["kind"]]
    title = f"[govreports] {what}: {alert.get('title') or alert.get('url')}"
    lines = [f"{alert['kind']}: {alert.get('agency') or ''} {alert.get('year') or ''}", alert.get("url") or ""]
    for change in alert["changes"][:50]:
        lines.append(f"{change['field']} ({change['label_zh']}): {change['old']} → {change['new']}")
    return title, "\n".join(lines)


def deliver_pending(archive: Archive, targets: Iterable[str], configs: Iterable[str] = ()) -> tuple[int, int]:
    """Send every pending alert to the Apprise targets (URLs, and Apprise config files):
    (delivered, still pending)."""
    targets, configs = list(targets), list(configs)
    if not targets and not configs:
        return 0, archive.db["alerts"].count_where("delivery_state = ?", [PENDING])
    import apprise

    sent = failed = 0
    pending = [a for a in list_alerts(archive) if a["delivery_state"] == PENDING]
    for alert in pending:
        notifier = apprise.Apprise()
        for target in targets:
            notifier.add(target)
        for path in configs:
            config = apprise.AppriseConfig()
            config.add(path)
            notifier.add(config)
        title, body = alert_message(alert)
        ok = bool(notifier.notify(title=title, body=body))
        update = {"attempts": archive.db["alerts"].get(alert["id"])["attempts"] + 1}
        if ok:
            update.update(delivery_state=DELIVERED, delivered_at=now_iso(), last_error=None)
            sent += 1
        else:
            update.update(last_error="a notification target refused or could not be reached")
            failed += 1
        archive.db["alerts"].update(alert["id"], update)
    return sent, failed
