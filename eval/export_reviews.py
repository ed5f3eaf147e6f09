"""Staff marks on Dai-chan's safety routing, as candidate rows for the training corpus.

    python -m eval.export_reviews                       # to stdout, from the helpdesk's MongoDB
    python -m eval.export_reviews --out reviews.jsonl   # then a person checks every row

Reads the helpdesk's `safety_reviews` (its settings give the MongoDB URI and database, as the
service itself reads them) and writes one row per marked message in the corpus format of
`eval/ROUTES.md`: a missed danger gets the route that was missed, a false alarm none. Several
marks on one message are merged (a missed route wins over a false alarm of another). The rows
are candidates: they join `eval/data/train/` only after a person has checked them, and never
the locked set.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from services.common.store import MongoStore
from services.helpdesk.settings import HelpdeskSettings
from services.helpdesk.store.safety_reviews import SafetyReviewRepository


def candidate_rows(reviews: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_text: dict[str, dict[str, Any]] = {}
    for review in reviews:
        text = str(review.get("text", "")).strip()
        if not text:
            continue
        row = by_text.setdefault(
            text,
            {
                "id": f"review-{review['turn_id']}",
                "text": text,
                "routes": [],
                "kind": "staff review",
                "voice": "other",
                "marks": [],
            },
        )
        row["marks"].append(f"{review['label']}:{review['route']}")
        if review["label"] == "missed" and review["route"] not in row["routes"]:
            row["routes"].append(review["route"])
    for row in by_text.values():
        row["routes"].sort()
        row["kind"] = "staff review: " + ", ".join(sorted(row.pop("marks")))
    return list(by_text.values())


async def _reviews(settings: HelpdeskSettings) -> list[dict[str, Any]]:
    store = MongoStore(
        uri=settings.mongodb_uri, database=settings.mongodb_database, app_name="export"
    )
    try:
        return await SafetyReviewRepository(store).all()
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    rows = candidate_rows(asyncio.run(_reviews(HelpdeskSettings())))
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out:
        args.out.write_text(lines, encoding="utf-8")
        print(f"wrote {len(rows)} candidate rows to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
