"""Write the dashboards into deploy/grafana/dashboards (`--check`: only report stale files)."""

from __future__ import annotations

import sys

from tools.grafana_dashboards import DASHBOARDS, DASHBOARDS_DIR, render


def main() -> None:
    check = "--check" in sys.argv[1:]
    stale = []
    for dashboard in DASHBOARDS:
        path = DASHBOARDS_DIR / dashboard.filename
        text = render(dashboard)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.name)
        if not check:
            path.write_text(text, encoding="utf-8")
    if check and stale:
        raise SystemExit(f"out of date (run python -m tools.grafana_dashboards): {stale}")
    print("written: " + ", ".join(stale) if stale else "dashboards are up to date")


if __name__ == "__main__":
    main()
