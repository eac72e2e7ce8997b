"""What a distributed crawl is doing: jobs per Scrapyd node, the stream's depth, the writer's lag."""

from __future__ import annotations

import time
from typing import Any

from .leases import held_leases
from .scrapyd import Node, ScrapydError
from .stream import GROUP, STREAM, WRITER_KEY


def queue_status(client) -> dict[str, Any]:
    """Stream depth (entries not yet taken out by the writer), the writer group's pending and
    lag (entries never delivered to it), the writer's heartbeat, and the leases held."""
    depth = client.xlen(STREAM)
    group: dict[str, Any] = {}
    try:
        for info in client.xinfo_groups(STREAM):
            name = info.get("name")
            name = name.decode() if isinstance(name, bytes) else name
            if name == GROUP:
                group = info
    except Exception:  # no stream or no group yet: nothing was ever queued or written
        group = {}
    writer = {k.decode(): v.decode() for k, v in (client.hgetall(WRITER_KEY) or {}).items()}
    age = time.time() - float(writer["at"]) if writer.get("at") else None
    lag = group.get("lag")
    return {
        "stream_depth": depth,
        "writer_pending": int(group.get("pending", 0) or 0),
        "writer_lag": int(lag) if lag is not None else depth,
        "writer": writer,
        "writer_seen_seconds_ago": round(age, 1) if age is not None else None,
        "leases": held_leases(client),
    }


def node_status(url: str) -> dict[str, Any]:
    node = Node(url)
    try:
        jobs = node.listjobs()
    except ScrapydError as exc:
        return {"node": url, "error": str(exc)}
    return {
        "node": url,
        "running": [j["id"] for j in jobs.get("running", [])],
        "pending": [j["id"] for j in jobs.get("pending", [])],
        "finished": [j["id"] for j in jobs.get("finished", [])],
    }


def status_lines(queue: dict[str, Any] | None, nodes: list[dict[str, Any]]) -> list[str]:
    lines = []
    for n in nodes:
        if "error" in n:
            lines.append(f"{n['node']}: unreachable ({n['error']})")
        else:
            lines.append(f"{n['node']}: {len(n['running'])} running, {len(n['pending'])} pending, "
                         f"{len(n['finished'])} finished")
            lines += [f"    running {job}" for job in n["running"]]
    if queue is not None:
        seen = queue["writer_seen_seconds_ago"]
        writer = (f"writer {queue['writer'].get('consumer')} on {queue['writer'].get('host')} "
                  f"(pid {queue['writer'].get('pid')}), seen {seen:.0f} s ago, {queue['writer'].get('entries')} "
                  "entries written" if seen is not None else "writer: not seen in the last 2 minutes")
        lines.append(f"stream: {queue['stream_depth']} entries waiting; writer lag {queue['writer_lag']} "
                     f"(never delivered), {queue['writer_pending']} delivered and not yet committed")
        lines.append(writer)
        sources = sorted(k.split(":", 3)[3] for k in queue["leases"] if k.split(":")[2] == "source")
        lines.append(f"sources being crawled: {len(sources)}" + (f" ({', '.join(sources)})" if sources else ""))
    return lines
