"""The programme office's console in a real browser (Debian's Chromium driven by Playwright).

One office's day, through the page only: sign in, import a municipality's CSV into an open cohort
and download the per-row report, draw, schedule a session and take the roll, register a tablet,
lend it, see the call lists with name and phone, take a tablet back, read the charts and download
the monthly report. Also: Japanese refusals, roles, keyboard use, and both screen sizes the
office uses (1366×768 and a 768×1024 tablet). The screenshot in docs/ is taken here.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Page, ViewportSize, expect

from services.tablet_lending.domain.dates import add_months
from tests.fixtures.browser import ARTIFACTS, needs_chromium, screenshot_path
from tests.tablet_lending.support import PASSWORDS, LendingApi, today_jst
from tools.devstack.stack import Stack

DESKTOP: ViewportSize = {"width": 1366, "height": 768}
TABLET: ViewportSize = {"width": 768, "height": 1024}

pytestmark = needs_chromium

OpenConsole = Callable[..., Awaitable[Page]]


@pytest.fixture
async def console(
    browser: Browser, stack: Stack, request: pytest.FixtureRequest
) -> AsyncIterator[OpenConsole]:
    """Open the console signed in as someone, in a browser context of their own."""
    contexts = []
    failed_before = request.session.testsfailed

    async def open_console(username: str, viewport: ViewportSize = DESKTOP) -> Page:
        context = await browser.new_context(
            locale="ja-JP", timezone_id="Asia/Tokyo", viewport=viewport, accept_downloads=True
        )
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await page.goto(stack.config.url("tablet_lending"))  # the root leads to the console
        await expect(page).to_have_url(re.compile(r"/console/$"))
        await page.get_by_label("ユーザー名").fill(username)
        await page.get_by_label("パスワード").fill(PASSWORDS[username])
        await page.get_by_label("パスワード").press("Enter")
        await expect(page.get_by_role("heading", name="期と定員")).to_be_visible()
        return page

    yield open_console
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                await page.screenshot(
                    path=str(ARTIFACTS / f"{request.node.name}-{index}-{number}.png"),
                    full_page=True,
                )
    for context in contexts:
        await context.close()


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[LendingApi]:
    client = await LendingApi.signed_in(stack, "supervisor")
    try:
        yield client
    finally:
        await client.close()


async def menu(page: Page, name: str) -> None:
    await page.get_by_role("navigation", name="メニュー").get_by_role("link", name=name).click()


async def fits(page: Page) -> None:
    """Nothing sticks out sideways: wide tables scroll inside their own box, not the page."""
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the window"


def downloaded(path: Path) -> bytes:
    return path.read_bytes()


def csv_file(tmp_path: Path, numbers: list[str]) -> Path:
    header = "申込番号,姓,名,セイ,メイ,生年月日,郵便番号,住所,市区町村コード,電話番号,規約同意,規約版,同意日"
    given = [("一郎", "イチロウ"), ("二郎", "ジロウ"), ("三郎", "サブロウ")]
    rows = [
        f"{number},画面,{given[index][0]},ガメン,{given[index][1]},昭和25年4月1日,544-0034,"
        f"大阪市生野区桃谷1-{index},27116,06-3333-000{index},同意,v1,2026/4/1"
        for index, number in enumerate(numbers)
    ]
    # One row too young: refused with its reason in Japanese, the others accepted.
    rows.append(
        "TOO-YOUNG,若手,花子,ワカテ,ハナコ,2000/1/1,544-0034,大阪市生野区桃谷2-1,27116,"
        "06-3333-9999,同意,v1,2026/4/1"
    )
    path = tmp_path / "ikuno.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("cp932"))
    return path


async def test_an_office_day_import_draw_roll_call_lend_and_report_through_the_page(
    console: OpenConsole, api: LendingApi, tmp_path: Path
) -> None:
    page = await console("supervisor")
    cohort_id = f"ui-{uuid4().hex[:10]}"
    today = today_jst()
    page.on("dialog", lambda dialog: dialog.accept())

    # A new cohort, open today, with two seats.
    await page.get_by_text("新しい期を作る").click()
    await page.get_by_label("期ID").fill(cohort_id)
    await page.get_by_label("名称").fill("画面試験期")
    await page.get_by_label("対象地域").fill("27116 大阪市生野区\n27119 大阪市阿倍野区")
    await page.get_by_label("貸出開始日").fill((today - timedelta(days=10)).isoformat())
    await page.get_by_label("貸出終了日").fill((today + timedelta(days=150)).isoformat())
    await page.get_by_label("定員").fill("2")
    await page.get_by_role("button", name="期を作成").click()
    await expect(page.locator("#view-status")).to_contain_text("期「画面試験期」を作成しました。")
    row = page.get_by_role("row", name=re.compile(cohort_id))
    await expect(row.get_by_role("cell").nth(2)).to_have_text("2")  # capacity

    # Ikuno's file: three accepted, one refused with its reason; the report to send back.
    await menu(page, "CSV取込")
    await page.get_by_label("取り込む期").select_option(cohort_id)
    await expect(page.get_by_label("送ってきた市区町村のコード")).to_have_value("27116")
    await page.get_by_label("CSVファイル").set_input_files(
        csv_file(tmp_path, ["UI-001", "UI-002", "UI-003"])
    )
    await page.get_by_role("button", name="取り込む").click()
    await expect(page.locator("#view-status")).to_have_text(
        "取り込みました：受付 3件、重複 0件、受付不可 1件。"
    )
    refused = page.get_by_role("row", name=re.compile("TOO-YOUNG"))
    await expect(refused).to_contain_text("受付不可")
    await expect(refused).to_contain_text("50歳")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile("行ごとの結果をCSVでダウンロード")).click()
    download = await download_info.value
    assert download.suggested_filename.endswith("-report.csv")
    report = downloaded(await download.path()).decode("utf-8-sig")
    assert "TOO-YOUNG" in report
    # No names or phones in what goes back to the municipality.
    assert "一郎" not in report
    assert "06-3333" not in report

    # The draw: three applicants for two seats.
    await menu(page, "期・抽選")
    row = page.get_by_role("row", name=re.compile(cohort_id))
    await expect(row.get_by_role("cell").nth(6)).to_have_text("3")  # waiting for the draw
    await row.get_by_label("シード（任意）").fill("console-seed-0001")
    await row.get_by_role("button", name="画面試験期の抽選を実行").click()
    await expect(page.locator("#view-status")).to_contain_text("抽選しました：参加 2名、補欠 1名")
    row = page.get_by_role("row", name=re.compile(cohort_id))
    await expect(row).to_contain_text("抽選済み")
    await expect(row).to_contain_text("100%")
    # Who won is the seed's business (sha256 order); the rest of the day follows a winner.
    [winner, *_] = await api.ok(
        "GET", "/participants", params={"cohort_id": cohort_id, "status": "enrolled"}
    )
    name = f"画面 {winner['personal']['given_name']}"
    kana = f"ガメン {winner['personal']['given_name_kana']}"

    # An explanatory session that has begun, and its roll call.
    await menu(page, "説明会・講座")
    await page.get_by_text("説明会・講座を登録する").click()
    form = page.locator("details.more form")
    await form.get_by_label("期").select_option(cohort_id)
    await form.get_by_label("種類").select_option("explanatory")
    await form.get_by_label("名称").fill("画面の説明会")
    await form.get_by_label("会場").fill("生野区民センター")
    await form.get_by_label("開始").fill("00:00")
    await form.get_by_label("終了").fill("23:59")
    await form.get_by_label("定員").fill("30")
    await form.get_by_role("button", name="予定を登録").click()
    await expect(page.locator("#view-status")).to_contain_text("「画面の説明会」")
    await page.get_by_role("link", name="出欠（画面の説明会）").click()
    await expect(page.get_by_role("heading", name="出欠：画面の説明会")).to_be_visible()
    await page.get_by_role("searchbox", name="当日参加の人を探す").fill("がめん")
    await page.get_by_role("button", name="探す").click()
    enrolled = page.get_by_role("button", name=re.compile("出席として記録"))
    await expect(enrolled.first).to_be_visible()
    await page.get_by_role("button", name=re.compile(f"出席として記録（{name}）")).click()
    await expect(page.locator("#view-status")).to_have_text(f"{name} さんを出席にしました。")
    roster = page.get_by_role("region", name="出欠表")
    await expect(roster.get_by_role("row", name=name)).to_contain_text("出席")
    # From the keyboard: Space on the roster's button marks them absent, then present again.
    absent = roster.get_by_role("button", name=f"欠席（{name}）")
    await absent.focus()
    await page.keyboard.press("Space")
    await expect(page.locator("#view-status")).to_have_text(f"{name} さんを欠席にしました。")
    await roster.get_by_role("button", name=f"出席（{name}）").click()
    await expect(page.locator("#view-status")).to_have_text(f"{name} さんを出席にしました。")

    # A new tablet, lent to them.
    device_id = f"UI-{uuid4().hex[:8].upper()}"
    await menu(page, "端末")
    await page.get_by_text("端末を登録する").click()
    await page.get_by_label("資産番号").fill(device_id)
    await page.get_by_label("シリアル番号").fill(f"SN-{device_id}")
    await page.get_by_label("機種").fill("画面試験タブレット")
    await page.get_by_role("button", name="端末を登録").click()
    await expect(page.locator("#view-status")).to_have_text(
        f"端末 {device_id} を登録しました（在庫）。"
    )
    await menu(page, "貸出・返却")
    await page.get_by_text("端末を貸し出す").click()
    lend = page.locator("details.more form")
    await lend.get_by_label("期", exact=True).select_option(cohort_id)
    await lend.get_by_label("参加者を探す").fill(kana)
    await lend.get_by_role("button", name="探す").click()
    await lend.get_by_role("button", name=f"この人に貸す（{name}）").click()
    await lend.get_by_label("端末").select_option(device_id)
    await lend.get_by_role("button", name="貸し出す").click()
    due = min(add_months(today, 6), today + timedelta(days=150))  # the cohort ends first
    await expect(page.locator("#view-status")).to_contain_text(
        f"{device_id} を貸し出しました。返却期限は {due.year}/{due.month}/{due.day}"
    )
    await expect(page.get_by_role("region", name="貸出中", exact=True)).to_contain_text(device_id)

    # Reports: the cohort's charts, and the month's workbook for the council.
    await menu(page, "報告")
    await page.get_by_label("グラフの期").select_option(cohort_id)
    chart = page.get_by_role("img", name="画面試験期：地域別の参加状況（人）")
    await expect(chart).to_be_visible()
    assert await chart.locator("rect.bar").count() >= 2  # enrolled and waitlisted
    await page.get_by_label("期", exact=True).select_option(cohort_id)
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="月次報告をExcelでダウンロード").click()
    download = await download_info.value
    assert download.suggested_filename == f"monthly-report-{today:%Y-%m}-{cohort_id}.xlsx"
    book = load_workbook(io.BytesIO(downloaded(await download.path())))
    rows = [[c for c in r if c is not None] for r in book["月次報告"].iter_rows(values_only=True)]
    assert ["画面試験期", 3, 2, 0, 1, 0, 0, 0] in rows
    await fits(page)
    await page.screenshot(path=str(screenshot_path("console-reports.png")), full_page=True)


async def test_call_lists_show_whom_to_phone_and_a_return_takes_the_tablet_back(
    console: OpenConsole, api: LendingApi
) -> None:
    today = today_jst()
    cohort = await api.cohort(
        name="電話試験期",
        lending_starts_on=(today - timedelta(days=250)).isoformat(),
        lending_ends_on=(today + timedelta(days=30)).isoformat(),
    )
    [late] = await api.enrolled(
        cohort["cohort_id"],
        family_name="電話先",
        family_name_kana="デンワサキ",
        given_name_kana="ハナコ",
        phone="06-4444-5555",
    )
    await api.draw(cohort["cohort_id"])
    await api.attended_explanatory(cohort["cohort_id"], [late])
    loan = await api.lend(late, issued_on=today - timedelta(days=200))
    days_late = (today - add_months(today - timedelta(days=200), 6)).days

    page = await console("operator")
    await menu(page, "貸出・返却")
    await page.get_by_label("期", exact=True).first.select_option(cohort["cohort_id"])
    overdue = page.get_by_role("region", name="返却期限を過ぎた貸出", exact=True)
    row = overdue.get_by_role("row", name=re.compile("電話先 花子"))
    await expect(row).to_contain_text("06-4444-5555")
    await expect(row).to_contain_text(f"{days_late}日")
    await expect(row).to_contain_text("未連携（電話で）")
    await expect(row.get_by_role("link", name="06-4444-5555")).to_have_attribute(
        "href", "tel:06-4444-5555"
    )
    await fits(page)
    await page.screenshot(path=str(screenshot_path("console.png")))

    await row.get_by_role("link", name="返却（電話先 花子）").click()
    await expect(page.get_by_role("heading", name=f"返却：{loan['device_id']}")).to_be_visible()
    await page.get_by_label("端末の状態").select_option("worn")
    await page.get_by_label("データを消去した").check()
    await page.get_by_label("ケース").uncheck()
    await page.get_by_role("button", name="返却を記録").click()
    await expect(page.locator("#view-status")).to_have_text(
        f"{loan['device_id']} の返却を記録しました。足りない付属品：case"
    )
    await page.get_by_label("期", exact=True).first.select_option(cohort["cohort_id"])
    await expect(page.get_by_text("期限を過ぎた貸出はありません。")).to_be_visible()
    closed = await api.ok("GET", f"/loans/{loan['loan_id']}")
    assert closed["loan"]["status"] == "returned"
    assert closed["loan"]["return_record"]["missing_accessories"] == ["case"]


async def test_a_session_is_scheduled_in_one_of_its_cohorts_areas_from_the_keyboard(
    console: OpenConsole, api: LendingApi
) -> None:
    """The schedule form offers the chosen cohort's areas (Dai-chan lists a senior's own area's
    sessions first), and the list says where each session is."""
    cohort = await api.cohort(name="地域試験期")  # 生野区 and 阿倍野区
    other = await api.cohort(name="泉大津の期", areas=[{"code": "27206", "name": "泉大津市"}])
    title = f"地域の講座 {uuid4().hex[:6]}"
    page = await console("operator")
    await menu(page, "説明会・講座")
    summary = page.get_by_text("説明会・講座を登録する")
    await summary.focus()
    await page.keyboard.press("Enter")  # opens the form
    form = page.locator("details.more form")
    area = form.get_by_label("地域")
    await form.get_by_label("期").select_option(other["cohort_id"])
    await expect(area.locator("option")).to_have_text(["指定なし", "泉大津市（27206）"])
    await form.get_by_label("期").select_option(cohort["cohort_id"])
    await expect(area.locator("option")).to_have_text(
        ["指定なし", "大阪市生野区（27116）", "大阪市阿倍野区（27119）"]
    )
    await area.focus()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await expect(area).to_have_value("27119")
    await form.get_by_label("名称").fill(title)
    await form.get_by_label("会場").fill("阿倍野区民センター")
    await form.get_by_label("会場").press("Enter")  # submits the form
    await expect(page.locator("#view-status")).to_contain_text(f"「{title}」")
    row = page.get_by_role("row", name=re.compile(title))
    await expect(row).to_contain_text("大阪市阿倍野区")
    [made] = [
        s
        for s in await api.ok("GET", "/sessions", params={"cohort_id": cohort["cohort_id"]})
        if s["title"] == title
    ]
    assert made["area_code"] == "27119"

    # A session with no area says so.
    # Its own title: other tests' sessions on the same stack share the helper's default one.
    unplaced = f"地域なしの講座 {uuid4().hex[:6]}"
    await api.session(
        other["cohort_id"],
        kind="follow_up",
        starts=made["starts_at"],
        ends=made["ends_at"],
        title=unplaced,
    )
    await page.locator(".filters").get_by_label("期").select_option(other["cohort_id"])
    await expect(page.get_by_role("row", name=re.compile(unplaced))).to_contain_text("指定なし")
    await fits(page)


async def test_roles_shape_the_menu_and_refusals_are_shown_in_japanese(
    console: OpenConsole, api: LendingApi
) -> None:
    undrawn = await api.cohort(name="役割試験期")
    viewer = await console("viewer")
    links = viewer.get_by_role("navigation", name="メニュー").get_by_role("link")
    assert await links.all_inner_texts() == ["期・抽選", "説明会・講座", "報告", "API"]
    await viewer.goto(viewer.url.split("#")[0] + "#/people")  # not a viewer's page
    await expect(viewer.get_by_role("heading", name="期と定員")).to_be_visible()
    await menu(viewer, "報告")
    await expect(viewer.get_by_role("heading", name="報告", exact=True)).to_be_visible()

    operator = await console("operator")
    row = operator.get_by_role("row", name=re.compile(undrawn["cohort_id"]))
    await expect(row).to_contain_text("未実施（統括が実施）")
    await expect(row.get_by_role("button")).to_have_count(0)
    # Should a supervisor's action reach the API anyway, the page says why in Japanese.
    said = await operator.evaluate(
        """(cohort) => import("/console/static/api.js").then((m) =>
            m.api("POST", `/cohorts/${cohort}/lottery`, { json: {} }).then(
              () => "accepted", (error) => error.message))""",
        undrawn["cohort_id"],
    )
    assert said == "この操作には「統括」の権限が必要です。"
    # A refusal of the programme's rules, in Japanese, where the operator typed.
    await menu(operator, "貸出・返却")
    await operator.get_by_text("端末を貸し出す").click()
    await operator.get_by_label("参加者ID").fill("P-NOBODY")
    await operator.get_by_role("button", name="貸し出す").click()
    await expect(operator.locator("#view-status")).to_contain_text("「P-NOBODY」が見つかりません。")


async def test_keyboard_only_and_both_screen_sizes(browser: Browser, stack: Stack) -> None:
    context = await browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=TABLET)
    try:
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await page.goto(f"{stack.config.url('tablet_lending')}/console/")
        # Sign in with the keyboard alone: the form starts focused.
        await expect(page.get_by_label("ユーザー名")).to_be_focused()
        await page.keyboard.type("operator")
        await page.keyboard.press("Tab")
        await page.keyboard.type(PASSWORDS["operator"])
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", name="期と定員")).to_be_visible()
        for viewport in (TABLET, DESKTOP):
            await page.set_viewport_size(viewport)
            for name, heading in (
                ("期・抽選", "期と定員"),
                ("申込者・参加者", "申込者・参加者"),
                ("CSV取込", "申込CSVの取込"),
                ("説明会・講座", "説明会・講座"),
                ("端末", "端末"),
                ("貸出・返却", "貸出・返却"),
                ("報告", "報告"),
            ):
                link = page.get_by_role("navigation", name="メニュー").get_by_role(
                    "link", name=name
                )
                await link.focus()
                await page.keyboard.press("Enter")
                # The new page's heading takes the focus, so a screen reader starts there.
                await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_focused()
                await fits(page)
                if viewport is TABLET:
                    ARTIFACTS.mkdir(exist_ok=True)
                    await page.screenshot(path=str(ARTIFACTS / f"console-tablet-{heading}.png"))
        outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
    finally:
        await context.close()
