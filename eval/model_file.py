"""Writing a trained model file, or checking that the committed one is what its command trains."""

from __future__ import annotations

from pathlib import Path


def write_or_check(path: Path, text: str, *, command: str, check: bool) -> int:
    """`check`: exit status 1 when `path` differs from `text` (a fresh training); else write it."""
    if check:
        committed = path.read_text(encoding="utf-8") if path.exists() else ""
        if committed != text:
            print(f"{path} differs from a fresh training; run {command}")
            return 1
        print(f"{path} is reproduced exactly by {command}")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(text.encode()) // 1024} KiB)")
    return 0
