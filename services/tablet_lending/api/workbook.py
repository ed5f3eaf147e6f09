"""The monthly report as an Excel workbook (openpyxl), in Japanese, for the council.

One sheet 「月次報告」 with the month's figures and the standing at the time of writing, each table
under a heading that says which it is, and a sheet 「グラフ」 with Excel's own charts of them
(drawn by Excel from the cells, so they stay true if someone corrects a number). Text cells that a
spreadsheet would read as a formula are neutralised as in the CSV downloads; numbers stay numbers.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.common.time import JST
from services.common.wording import SESSION_KIND_JA
from services.tablet_lending.api.csv_files import neutralise
from services.tablet_lending.usecases.monthly_report import MonthlyReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "大阪スマートシニアライフ事業　タブレット貸出　月次報告"
STATUS_JA = {
    "applied": "抽選待ち",
    "waitlisted": "補欠",
    "enrolled": "参加",
    "withdrawn": "辞退",
}
DEVICE_STATES_JA = {
    "in_stock": "在庫",
    "on_loan": "貸出中",
    "in_repair": "修理中",
    "lost": "紛失",
    "retired": "廃棄",
}
_HEADING = Font(bold=True, size=12)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class _Sheet:
    """Writes tables one under another and remembers where each one is (for the charts)."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1
        self.tables: dict[str, tuple[int, int, int]] = {}  # name: (header row, last row, cols)

    def line(self, text: str, *, font: Font | None = None) -> None:
        cell = self.sheet.cell(row=self.row, column=1, value=neutralise(text))
        if font is not None:
            cell.font = font
        self.row += 1

    def table(self, name: str, heading: str, header: list[str], rows: list[list[Any]]) -> None:
        self.line(heading, font=_HEADING)
        first = self.row
        for column, title in enumerate(header, start=1):
            cell = self.sheet.cell(row=self.row, column=column, value=title)
            cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        self.row += 1
        if not rows:
            self.sheet.cell(row=self.row, column=1, value="（該当なし）")
            self.row += 1
        for values in rows:
            for column, value in enumerate(values, start=1):
                cell = self.sheet.cell(row=self.row, column=column, value=neutralise(value))
                cell.border = _BOX
            self.row += 1
        self.tables[name] = (first, self.row - 1, len(header))
        self.row += 1


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def monthly_workbook(report: MonthlyReport) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "月次報告"
    out = _Sheet(sheet)
    names = {cohort["cohort_id"]: cohort["name"] for cohort in report.cohorts}
    out.line(f"{TITLE}（{report.month.label_ja}）", font=Font(bold=True, size=14))
    out.line(f"作成日時: {report.made_at.astimezone(JST):%Y年%m月%d日 %H:%M}（日本時間）")
    out.line("個人情報は含みません。数値は本システムの記録から集計しています。")
    out.row += 1
    out.table(
        "cohorts",
        "1. 対象の期",
        ["期", "名称", "対象地域", "貸出開始", "貸出終了", "定員"],
        [
            [c[key] for key in ("cohort_id", "name", "areas", "lending_starts_on")]
            + [c["lending_ends_on"], c["capacity"]]
            for c in report.cohorts
        ],
    )
    out.table(
        "flows",
        f"2. {report.month.label_ja}の動き",
        ["期", "申込", "参加決定", "辞退", "貸出", "返却", "返却（破損）", "紛失"],
        [
            [names.get(row["cohort_id"], row["cohort_id"])]
            + [row[key] for key in ("applications", "enrolled", "withdrawn", "loans_issued")]
            + [row[key] for key in ("loans_returned", "loans_damaged", "loans_lost")]
            for row in report.flows
        ],
    )
    out.table(
        "participation",
        "3. 参加状況（作成時点・地域別）",
        ["期", "地域", *STATUS_JA.values()],
        [
            [names.get(row["cohort_id"], row["cohort_id"]), row["area_name"]]
            + [row[status] for status in STATUS_JA]
            for row in report.participation
        ],
    )
    out.table(
        "loans",
        "4. 貸出状況（作成時点）",
        ["期", "貸出中", "返却期限間近", "期限超過", "訪問回収", "返却済", "破損", "紛失"],
        [
            [names.get(row["cohort_id"], row["cohort_id"])]
            + [row[key] for key in ("active", "due_soon", "overdue", "visit_required")]
            + [row[key] for key in ("returned", "damaged", "lost")]
            for row in report.loans
        ],
    )
    out.table(
        "sessions",
        f"5. {report.month.label_ja}の説明会・講座",
        ["日時", "種類", "名称", "定員", "予約", "当日参加", "出席", "充足率", "出席率"],
        [
            [
                f"{_local(row['starts_at'])}",
                SESSION_KIND_JA.get(row["kind"], row["kind"])
                + ("（中止）" if row["cancelled"] else ""),
                row["title"],
                row["capacity"],
                row["booked"],
                row["walk_ins"],
                row["attended"],
                _percent(row["fill_ratio"]),
                _percent(row["attendance_ratio"]),
            ]
            for row in report.sessions
        ],
    )
    out.table(
        "devices",
        "6. 端末の状況（作成時点）",
        ["状態", "台数"],
        [[label, report.devices.get(state, 0)] for state, label in DEVICE_STATES_JA.items()],
    )
    for column, width in enumerate((22, 16, 28, 12, 12, 12, 12, 12, 12), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    _charts(book, out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _local(iso: str) -> str:
    return f"{datetime.fromisoformat(iso).astimezone(JST):%Y-%m-%d %H:%M}"


def _charts(book: Workbook, out: _Sheet) -> None:
    charts = book.create_sheet("グラフ")
    place = 1
    for name, title, first_data_col in (
        ("flows", "今月の動き（期別）", 2),
        ("loans", "貸出状況（期別）", 2),
        ("devices", "端末の状況", 2),
    ):
        header, last, columns = out.tables[name]
        if last <= header:
            continue
        chart = BarChart()
        chart.title = title
        chart.height, chart.width = 8, 18
        data = Reference(
            out.sheet, min_col=first_data_col, max_col=columns, min_row=header, max_row=last
        )
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(out.sheet, min_col=1, min_row=header + 1, max_row=last))
        charts.add_chart(chart, f"A{place}")
        place += 18
