"""Phone numbers Dai-chan must never write itself.

Safety numbers come only from the fixed templates; a model that writes one (even a right one) is
overruled (`guard.py`).
"""

from __future__ import annotations

import re
import unicodedata

_PHONE = re.compile(
    r"#\s?\d{4}"  # #7119, #9110
    r"|(?<![\d.,])(?:110|119|188|117|171|189)(?![\d.,]|円|年|人|個|件|歳|才|cm|km|kg|g|%)"
    r"|(?<![\d.,])0\d{1,4}[-ー() ]?\d{1,4}[-ー() ]?\d{3,4}(?!\d)"  # 0120-279-338, 06-1234-5678
    r"|(?<![\d.,])\d{10,}(?!\d)"
)


def contains_phone_number(text: str) -> bool:
    return bool(_PHONE.search(unicodedata.normalize("NFKC", text)))
