"""Reading a municipality's applicant file: encodings, headers and rows, before any rule runs.

Files come from municipal systems and spreadsheets: Shift_JIS (CP932, the Windows dialect with
①, ㈱ and NEC/IBM extensions) or UTF-8, with or without a byte-order mark, with CRLF line ends,
Japanese or English headers, full-width digits, and dates in Western or Japanese-era form. This
module turns the bytes into one `ParsedRow` per line, each either an application or the reason it
cannot be one (in Japanese, for the report sent back). A line whose bytes are not valid in the
file's encoding is refused on its own; the rest of the file is still read.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from pydantic import ValidationError

from services.common.time import JST
from services.tablet_lending.domain.dates import BadDate, normalise, parse_date
from services.tablet_lending.domain.participants import (
    APPLICATION_NUMBER,
    ApplicationIn,
    BadField,
    Personal,
    clean_address,
    clean_kana,
    clean_name,
    clean_phone,
    clean_postal_code,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 3000
# The longest real cell is an address (at most 200 characters once cleaned); anything far longer
# is a broken or hostile file. Checked per row, so one such row is refused and the rest read.
MAX_CELL_CHARACTERS = 1000

# Canonical column -> accepted headers (compared after NFKC and lower-casing).
COLUMNS: dict[str, tuple[str, ...]] = {
    "application_number": ("申込番号", "受付番号", "application_number"),
    "family_name": ("姓", "氏", "family_name"),
    "given_name": ("名", "given_name"),
    "full_name": ("氏名", "name"),
    "family_name_kana": ("セイ", "姓カナ", "姓(カナ)", "family_name_kana"),
    "given_name_kana": ("メイ", "名カナ", "名(カナ)", "given_name_kana"),
    "full_kana": ("フリガナ", "ふりがな", "氏名カナ", "kana"),
    "birthdate": ("生年月日", "birthdate"),
    "postal_code": ("郵便番号", "postal_code"),
    "address": ("住所", "address"),
    "area_code": ("市区町村コード", "地域コード", "area_code"),
    "phone": ("電話番号", "電話", "phone"),
    "consent": ("規約同意", "同意", "consent"),
    "terms_version": ("規約版", "規約バージョン", "terms_version"),
    "consented_on": ("同意日", "consented_on"),
}
EXAMPLE_HEADER = (
    "申込番号,姓,名,セイ,メイ,生年月日,郵便番号,住所,市区町村コード,電話番号,規約同意,規約版,同意日"
)
CONSENT_YES = frozenset(
    {
        "同意",
        "同意済",
        "同意済み",
        "済",
        "はい",
        "有",
        "あり",
        "○",
        "〇",
        "◯",
        "1",
        "yes",
        "y",
        "true",
    }
)


class FileRefused(ValueError):
    """The file as a whole cannot be read; nothing is imported."""

    def __init__(self, message: str, message_ja: str) -> None:
        super().__init__(message)
        self.message_ja = message_ja


@dataclass(frozen=True)
class RowProblem:
    reason: str
    message_ja: str


@dataclass(frozen=True)
class ParsedRow:
    line: int  # 1 is the header
    application_number: str | None
    application: ApplicationIn | None
    problem: RowProblem | None
    fingerprint: tuple[str, ...] = ()  # the row's cells, to tell an exact repeat from a clash


@dataclass(frozen=True)
class ParsedFile:
    encoding: str
    rows: list[ParsedRow]


def decode_lines(raw: bytes) -> tuple[str, list[str | None]]:
    """The file's encoding and its lines; a line not valid in that encoding is None."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(
            "UTF-16 files are not accepted; save the file as UTF-8 or Shift_JIS.",
            "UTF-16 のファイルは読み込めません。UTF-8 または Shift_JIS で保存してください。",
        )
    has_bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8) :] if has_bom else raw
    lines = [line.removesuffix(b"\r") for line in body.split(b"\n")]
    if has_bom:
        encoding = "utf-8-sig"
    else:
        utf8 = sum(_decodes(line, "utf-8") for line in lines if not line.isascii())
        cp932 = sum(_decodes(line, "cp932") for line in lines if not line.isascii())
        encoding = "utf-8" if utf8 >= cp932 else "cp932"
    codec = "utf-8" if encoding.startswith("utf-8") else "cp932"
    return encoding, [_decode(line, codec) for line in lines]


def _decodes(line: bytes, codec: str) -> bool:
    return _decode(line, codec) is not None


def _decode(line: bytes, codec: str) -> str | None:
    try:
        return line.decode(codec)
    except UnicodeDecodeError:
        return None


def _header_key(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip().lower().replace(" ", "")


def _map_header(cells: list[str]) -> dict[str, int]:
    lookup = {_header_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = lookup.get(_header_key(cell))
        if name is not None and name not in positions:
            positions[name] = index
    missing = []
    for required in ("application_number", "birthdate", "address", "consent"):
        if required not in positions:
            missing.append(COLUMNS[required][0])
    if not ({"family_name", "given_name"} <= positions.keys() or "full_name" in positions):
        missing.append("姓・名（または氏名）")
    if not (
        {"family_name_kana", "given_name_kana"} <= positions.keys() or "full_kana" in positions
    ):
        missing.append("セイ・メイ（またはフリガナ）")
    if missing:
        raise FileRefused(
            f"The header lacks required columns: {', '.join(missing)}. Example: {EXAMPLE_HEADER}",
            f"見出し行に必要な列がありません: {'、'.join(missing)}。例: {EXAMPLE_HEADER}",
        )
    return positions


def parse_file(raw: bytes, *, terms_version: str, municipality_code: str) -> ParsedFile:
    if len(raw) > MAX_FILE_BYTES:
        raise FileRefused(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.",
            "ファイルが大きすぎます。分けて取り込んでください。",
        )
    encoding, lines = decode_lines(raw)
    numbered = [(number, line) for number, line in enumerate(lines, start=1)]
    content = [(n, line) for n, line in numbered if line is None or line.strip()]
    if not content:
        raise FileRefused("The file is empty.", "ファイルが空です。")
    header = content[0][1]
    if header is None:
        raise FileRefused(
            "The header row cannot be read in UTF-8 or Shift_JIS.",
            "見出し行の文字コードを読み取れません（UTF-8 または Shift_JIS で保存してください）。",
        )
    header_cells = _cells(header)
    if header_cells is None:
        raise FileRefused(
            f"A header cell is longer than {MAX_CELL_CHARACTERS} characters or badly quoted.",
            f"見出し行に{MAX_CELL_CHARACTERS}文字を超える項目か、閉じていない引用符があります。",
        )
    positions = _map_header(header_cells)
    if len(content) - 1 > MAX_ROWS:
        raise FileRefused(
            f"The file has more than {MAX_ROWS} rows; split it.",
            f"行数が{MAX_ROWS}行を超えています。分けて取り込んでください。",
        )
    rows = [
        _parse_row(
            number,
            line,
            positions,
            terms_version=terms_version,
            municipality_code=municipality_code,
        )
        for number, line in content[1:]
    ]
    return ParsedFile(encoding=encoding, rows=_mark_repeats(rows))


def _parse_row(
    number: int,
    line: str | None,
    positions: dict[str, int],
    *,
    terms_version: str,
    municipality_code: str,
) -> ParsedRow:
    if line is None:
        return ParsedRow(
            number,
            None,
            None,
            RowProblem(
                "encoding",
                "この行の文字コードを読み取れませんでした（ファイルの中で文字コードが混在しています）。",
            ),
        )
    read_cells = _cells(line)
    if read_cells is None:
        return ParsedRow(
            number,
            None,
            None,
            RowProblem(
                "cell_too_large",
                f"この行に{MAX_CELL_CHARACTERS}文字を超える項目があります（列がずれていないか確認してください）。",
            ),
        )
    cells = read_cells

    def cell(name: str) -> str:
        index = positions.get(name)
        return normalise(cells[index]) if index is not None and index < len(cells) else ""

    number_text = cell("application_number")
    problems: list[str] = []
    fields: dict[str, object] = {}

    def read(label: str, name: str, parse: Callable[[], object]) -> None:
        try:
            fields[name] = parse()
        except BadField as exc:
            problems.append(exc.message_ja)
        except BadDate as exc:
            problems.append(f"{label}: {exc}")

    if not number_text:
        problems.append("申込番号が空です。")
    elif not re.match(APPLICATION_NUMBER, number_text):
        problems.append("申込番号は英数字と - _ . / で40文字までです。")

    family, given = _two_parts(cell("family_name"), cell("given_name"), cell("full_name"))
    kana_family, kana_given = _two_parts(
        cell("family_name_kana"), cell("given_name_kana"), cell("full_kana")
    )
    read("姓", "family_name", lambda: clean_name(family))
    read("名", "given_name", lambda: clean_name(given))
    read("セイ", "family_name_kana", lambda: clean_kana(kana_family))
    read("メイ", "given_name_kana", lambda: clean_kana(kana_given))
    read("生年月日", "birthdate", lambda: parse_date(cell("birthdate")))
    read("住所", "address", lambda: clean_address(cell("address")))
    if cell("postal_code"):
        read("郵便番号", "postal_code", lambda: clean_postal_code(cell("postal_code")))
    if cell("phone"):
        read("電話番号", "phone", lambda: clean_phone(cell("phone")))
    area_code = cell("area_code") or None
    if area_code and not (area_code.isdigit() and len(area_code) in (5, 6)):
        problems.append("市区町村コードは5けた（または6けた）の数字です。")
    consented_at = None
    if cell("consented_on"):
        try:
            consented_at = datetime.combine(parse_date(cell("consented_on")), time(0), JST)
        except BadDate as exc:
            problems.append(f"同意日: {exc}")

    fingerprint = tuple(normalise(value) for value in cells)
    if problems:
        return ParsedRow(
            number,
            number_text or None,
            None,
            RowProblem("invalid", " ".join(problems)),
            fingerprint,
        )
    if cell("consent").lower() not in CONSENT_YES:
        return ParsedRow(
            number,
            number_text,
            None,
            RowProblem("no_consent", "利用規約への同意が確認できません（規約同意の列）。"),
            fingerprint,
        )
    try:
        application = ApplicationIn(
            personal=Personal.model_validate(fields),
            area_code=area_code,
            application_number=number_text,
            municipality_code=municipality_code,
            terms_version=cell("terms_version") or terms_version,
            consented_at=consented_at,
        )
    except ValidationError:
        return ParsedRow(
            number,
            number_text,
            None,
            RowProblem("invalid", "この行の内容を読み取れませんでした。"),
            fingerprint,
        )
    return ParsedRow(number, number_text, application, None, fingerprint)


def _cells(line: str) -> list[str] | None:
    """The line's cells, or None when one is too long to be a real cell (the csv module's own
    field limit raises csv.Error, which was a 500)."""
    try:
        cells = next(csv.reader([line]), [])
    except csv.Error:
        return None
    if any(len(cell) > MAX_CELL_CHARACTERS for cell in cells):
        return None
    return cells


def _two_parts(first: str, second: str, whole: str) -> tuple[str, str]:
    """姓 and 名 from their own columns, or split from 氏名 at the first space."""
    if first or second or not whole:
        return first, second
    head, _, tail = whole.replace("　", " ").partition(" ")
    return head, tail


def _mark_repeats(rows: list[ParsedRow]) -> list[ParsedRow]:
    """An application number twice in one file: a later exact repeat counts once; rows that
    differ under one number are all refused, since nobody can tell which one is right."""
    groups: dict[str, list[ParsedRow]] = {}
    for row in rows:
        if row.application_number:
            groups.setdefault(row.application_number, []).append(row)
    marked = []
    for row in rows:
        group = groups.get(row.application_number or "", [row])
        if len(group) == 1:
            marked.append(row)
            continue
        lines = "・".join(str(other.line) for other in group if other is not row)
        if any(other.fingerprint != group[0].fingerprint for other in group):
            problem = RowProblem(
                "duplicate_in_file",
                f"申込番号 {row.application_number} が{lines}行目にもあり、内容が異なります。"
                "正しい行を確認して取り込み直してください。",
            )
        elif row is group[0]:
            marked.append(row)
            continue
        else:
            problem = RowProblem(
                "repeated_in_file",
                f"{group[0].line}行目と同じ内容の行です（1件として扱いました）。",
            )
        marked.append(ParsedRow(row.line, row.application_number, None, problem, row.fingerprint))
    return marked
