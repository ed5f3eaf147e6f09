"""How tickets look to the staff API: internal fields left out, waiting time and SLA state added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.common.events.contracts.helpdesk import SlaTarget
from services.common.time import as_utc, utcnow

INTERNAL = ("reply_token", "reply_token_expires_at", "awaiting_sort", "priority_rank", "purge_at")


def sla_state(sla: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sla = sla or {}
    paused = sla.get("paused_at") is not None
    for target in SlaTarget:
        clock = sla.get(target.value)
        if clock is None:
            continue
        due = as_utc(clock["due_at"])
        if clock.get("met_at") is not None:
            state = "met" if as_utc(clock["met_at"]) <= due else "met_late"
        elif target is SlaTarget.RESOLUTION and paused:
            state = "paused"
        elif clock.get("breached") or due <= now:
            state = "breached"
        elif clock.get("warned") or as_utc(clock["warn_at"]) <= now:
            state = "warning"
        else:
            state = "running"
        out[target.value] = {
            "state": state,
            "due_at": due,
            "met_at": clock.get("met_at"),
            "cycle": clock.get("cycle"),
            "paused_seconds": clock.get("paused_seconds", 0.0),
        }
    out["paused"] = paused
    return out


def ticket_summary(doc: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    since = doc.get("awaiting_staff_since")
    return {
        "id": doc["_id"],
        "number": doc.get("number"),
        "status": doc.get("status"),
        "priority": doc.get("priority"),
        "channel": doc.get("channel"),
        "category": doc.get("category"),
        "summary": doc.get("summary"),
        "assignee": doc.get("assignee"),
        "tags": doc.get("tags", []),
        "line_user_id": doc.get("line_user_id"),
        "participant_id": doc.get("participant_id"),
        "holds_conversation": doc.get("holds_conversation", False),
        "version": doc.get("version"),
        "opened_at": doc.get("opened_at"),
        "updated_at": doc.get("updated_at"),
        "awaiting_staff_since": since,
        "waiting_seconds": int((now - as_utc(since)).total_seconds()) if since else None,
        "sla": sla_state(doc.get("sla"), now),
        "csat": doc.get("csat"),
    }


def ticket_detail(doc: dict[str, Any]) -> dict[str, Any]:
    detail = {k: v for k, v in doc.items() if k not in INTERNAL and k != "_id"}
    return {
        **detail,
        **ticket_summary(doc),
        "thread": doc.get("thread", []),
        "history": doc.get("history", []),
    }
