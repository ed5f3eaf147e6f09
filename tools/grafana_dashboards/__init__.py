"""The Grafana dashboards, written as code and generated into deploy/grafana/dashboards/*.json.

Grafana provisions the JSON files read-only; this module is where they are edited, so every panel
has the same shape and the five dashboards stay consistent. Run `python -m tools.grafana_dashboards`
after a change (tests/tools/test_grafana_dashboards.py fails while the files are out of date), and
tests/monitoring evaluates every query below against a real Prometheus.

Panel titles are Japanese (the programme office reads them); queries use the recording rules in
deploy/prometheus/rules where one exists. `$cohort` is the cohort selector of the dashboards
whose figures are per cohort.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DASHBOARDS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "sslp-prometheus"}
COHORT = 'cohort=~"$cohort"'
FULL_WIDTH = 24


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    description: str
    queries: tuple[Query, ...]
    kind: str = "timeseries"  # timeseries | stat | bargauge
    unit: str = "short"
    width: int = 12
    height: int = 8
    thresholds: tuple[tuple[float, str], ...] = ()
    max: float | None = None

    def to_json(self, panel_id: int, x: int, y: int) -> dict[str, Any]:
        instant = self.kind != "timeseries"
        defaults: dict[str, Any] = {"unit": self.unit}
        if self.thresholds:
            defaults["color"] = {"mode": "thresholds"}
            defaults["thresholds"] = {
                "mode": "absolute",
                "steps": [{"color": "green", "value": None}]
                + [{"color": color, "value": value} for value, color in self.thresholds],
            }
        if self.max is not None:
            defaults["min"], defaults["max"] = 0, self.max
        panel: dict[str, Any] = {
            "id": panel_id,
            "type": self.kind,
            "title": self.title,
            "description": self.description,
            "datasource": DATASOURCE,
            "gridPos": {"h": self.height, "w": self.width, "x": x, "y": y},
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "targets": [
                {
                    "refId": chr(ord("A") + index),
                    "datasource": DATASOURCE,
                    "expr": query.expr,
                    "legendFormat": query.legend,
                    "instant": instant,
                    "range": not instant,
                }
                for index, query in enumerate(self.queries)
            ],
        }
        if self.kind == "stat":
            panel["options"] = {
                "colorMode": "value",
                "graphMode": "none",
                "textMode": "value_and_name",
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            }
        elif self.kind == "bargauge":
            panel["options"] = {
                "orientation": "horizontal",
                "displayMode": "basic",
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            }
        else:
            panel["options"] = {
                "legend": {"displayMode": "list", "placement": "bottom"},
                "tooltip": {"mode": "multi"},
            }
        return panel


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    description: str
    tags: tuple[str, ...]
    panels: tuple[Panel, ...]
    per_cohort: bool = False
    refresh: str = "30s"
    time_from: str = "now-24h"

    @property
    def filename(self) -> str:
        return f"{self.uid.removeprefix('sslp-')}.json"

    def to_json(self) -> dict[str, Any]:
        laid_out = []
        x = y = row_height = 0
        for panel_id, panel in enumerate(self.panels, start=1):
            if x + panel.width > FULL_WIDTH:
                x, y, row_height = 0, y + row_height, 0
            laid_out.append(panel.to_json(panel_id, x, y))
            x += panel.width
            row_height = max(row_height, panel.height)
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": ["sslp", *self.tags],
            "timezone": "Asia/Tokyo",
            "editable": False,
            "graphTooltip": 1,
            "refresh": self.refresh,
            "schemaVersion": 39,
            "version": 1,
            "time": {"from": self.time_from, "to": "now"},
            "templating": {"list": [cohort_variable()] if self.per_cohort else []},
            "annotations": {"list": []},
            "links": [
                {
                    "type": "dashboards",
                    "tags": ["sslp"],
                    "title": "他のダッシュボード",
                    "asDropdown": True,
                }
            ],
            "panels": laid_out,
        }


def cohort_variable() -> dict[str, Any]:
    return {
        "name": "cohort",
        "label": "期（コホート）",
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": "label_values(sslp_lending_participants, cohort)", "refId": "cohorts"},
        "definition": "label_values(sslp_lending_participants, cohort)",
        "refresh": 2,
        "multi": True,
        "includeAll": True,
        "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
    }


def stat(title: str, description: str, *queries: Query, **options: Any) -> Panel:
    return Panel(title, description, queries, kind="stat", **{"width": 6, "height": 5, **options})


def series(title: str, description: str, *queries: Query, **options: Any) -> Panel:
    return Panel(title, description, queries, **options)


def bars(title: str, description: str, *queries: Query, **options: Any) -> Panel:
    return Panel(title, description, queries, kind="bargauge", **options)


def loans(state: str) -> str:
    return f'sum(cohort_state:sslp_lending_loans:max{{{COHORT}, state="{state}"}})'


PROGRAMME = Dashboard(
    uid="sslp-programme-overview",
    title="事業概要（スマートシニアライフ）",
    description="期ごとの参加者、タブレットの貸出、講座、LINE と大ちゃん、ヘルプデスクの要約。",
    tags=("programme",),
    per_cohort=True,
    panels=(
        stat(
            "参加者数",
            "選んだ期の参加者（辞退者を除く）。",
            Query(f"sum(cohort:sslp_lending_participants:max{{{COHORT}}})", "参加者"),
        ),
        stat(
            "抽選待ち",
            "定員を超えて待っている申込者。",
            Query(f"sum(cohort:sslp_lending_waitlisted:max{{{COHORT}}})", "待ち"),
        ),
        stat(
            "貸出中のタブレット",
            "いま貸し出している台数と、そのうち返却期限が近いもの。",
            Query(loans("active"), "貸出中"),
            Query(loans("due_soon"), "期限間近"),
        ),
        stat(
            "返却期限切れ",
            "返却期限を過ぎた貸出。電話・訪問の対象です。",
            Query(loans("overdue"), "期限切れ"),
            thresholds=((1, "orange"), (5, "red")),
        ),
        bars(
            "地域別の参加者",
            "期の対象地域（区・市）ごとの参加者数。",
            Query(
                f"sum by (area) (cohort_area:sslp_lending_participants:max{{{COHORT}}})", "{{area}}"
            ),
        ),
        series(
            "貸出の状況（期別）",
            "貸出中・期限間近・期限切れ・返却済み・紛失の推移。",
            Query(
                f"sum by (cohort, state) (cohort_state:sslp_lending_loans:max{{{COHORT}}})",
                "{{cohort}} {{state}}",
            ),
        ),
        stat(
            "返却済み・紛失",
            "貸出が終わったもの（破損して返却されたものは返却済みに含む）。",
            Query(loans("returned"), "返却済み"),
            Query(loans("lost"), "紛失"),
        ),
        stat(
            "講座の定員充足率",
            "中止でない講座の席のうち、予約と当日参加で埋まった割合。",
            Query(f"avg(cohort:sslp_lending_session_fill_ratio:max{{{COHORT}}})", "充足率"),
            unit="percentunit",
        ),
        stat(
            "講座の出席率",
            "始まった講座の登録者のうち、出席した人の割合。",
            Query(f"avg(cohort:sslp_lending_session_attendance_ratio:max{{{COHORT}}})", "出席率"),
            unit="percentunit",
        ),
        stat(
            "LINE の友だち",
            "おおさか楽なびの友だち（全期共通）。",
            Query('sum(state:sslp_line_users:max{state="following"})', "友だち"),
        ),
        stat(
            "大ちゃんの返信（24 時間）",
            "大ちゃんが答えたメッセージの数（全期共通）。",
            Query("sum(increase(sslp_ai_replies_total[24h]))", "返信"),
        ),
        stat(
            "未解決の問い合わせ",
            "ヘルプデスクで対応中の問い合わせ（全期共通）。",
            Query("sum(priority:sslp_helpdesk_backlog:max)", "未解決"),
            thresholds=((10, "orange"), (30, "red")),
        ),
    ),
)

LINE = Dashboard(
    uid="sslp-line",
    title="LINE（おおさか楽なび）",
    description="友だち、ブロック、受信と送信、今月の送信枠と費用。",
    tags=("line",),
    panels=(
        stat(
            "友だち・ブロック・連携",
            "友だち数、ブロックした人、参加者と連携した友だち。",
            Query("state:sslp_line_users:max", "{{state}}"),
            width=12,
        ),
        stat(
            "今月の送信枠の使用率",
            "プッシュ・マルチキャストの今月の予算に対する使用率（80% と 95% で警告）。",
            Query("sslp_line_push_budget_used:ratio", "使用率"),
            unit="percentunit",
            thresholds=((0.8, "orange"), (0.95, "red")),
            max=1,
        ),
        stat(
            "今月の送信数と残り",
            "今月の有料メッセージ（プッシュ・マルチキャストの宛先数）と予算の残り。",
            Query(
                'max by (kind) (sslp_line_push_budget_messages{kind=~"used|remaining"})', "{{kind}}"
            ),
        ),
        series(
            "受信したイベント（種類別、毎秒）",
            "Webhook で受け取ったイベント。",
            Query("type:sslp_line_webhook_events:rate5m", "{{type}}"),
        ),
        series(
            "送信（方法別、毎秒）",
            "返信（無料）とプッシュ・マルチキャスト（有料）。",
            Query("method:sslp_line_sends:rate5m", "{{method}}"),
        ),
        series(
            "送信の結果（24 時間）",
            "送信済み、保留（予算切れ）、ブロックのため送らなかった、失敗。",
            Query("sum by (outcome) (increase(sslp_line_sends_total[24h]))", "{{outcome}}"),
        ),
        series(
            "LINE API のエラー（24 時間）",
            "Messaging API が返したエラー（0 は応答なし）。",
            Query(
                "sum by (method, status) (increase(sslp_line_send_errors_total[24h])) or vector(0)",
                "{{method}} {{status}}",
            ),
        ),
        series(
            "アカウント連携（24 時間）",
            "連携コードの入力結果。",
            Query(
                "sum by (outcome) (increase(sslp_line_link_attempts_total[24h])) or vector(0)",
                "{{outcome}}",
            ),
        ),
    ),
)

DAICHAN = Dashboard(
    uid="sslp-daichan",
    title="大ちゃん（AI）",
    description="大ちゃんの利用、応答時間、トークンと推定費用、安全対応。",
    tags=("ai",),
    panels=(
        stat(
            "返信数（24 時間）",
            "大ちゃんが答えたメッセージ。",
            Query("sum(increase(sslp_ai_replies_total[24h]))", "返信"),
        ),
        stat(
            "推定費用（24 時間、円）",
            "モデルのトークン数と設定した単価からの見積もり。",
            Query("sslp_ai_model_cost_yen:increase1d", "円"),
            unit="currencyJPY",
        ),
        stat(
            "モデルの失敗率",
            "失敗・タイムアウトしたモデル呼び出しの割合（失敗時はやさしい定型文で返信）。",
            Query("sslp_ai_model_errors:ratio_rate5m", "失敗率"),
            unit="percentunit",
            thresholds=((0.05, "orange"), (0.2, "red")),
        ),
        stat(
            "安全対応（24 時間）",
            "緊急・詐欺・こころの相談・人への引き継ぎで固定の案内をした件数。",
            Query("sum(route:sslp_ai_safety_escalations:increase1d)", "安全対応"),
        ),
        series(
            "返信の種類（毎秒）",
            "会話、講座や貸出の案内、安全対応などの内訳。",
            Query("kind:sslp_ai_replies:rate5m", "{{kind}}"),
        ),
        series(
            "モデルの応答時間（90 パーセンタイル）",
            "会話・要約・判定・文字起こしごと。",
            Query("operation:sslp_ai_model_seconds:p90_5m", "{{operation}}"),
            unit="s",
        ),
        series(
            "トークン数（24 時間）",
            "入力と出力のトークン。",
            Query("direction:sslp_ai_model_tokens:increase1d", "{{direction}}"),
        ),
        series(
            "安全対応の種類（24 時間）",
            "緊急（119）、詐欺（#9110）、こころの相談、人への引き継ぎ。",
            Query("route:sslp_ai_safety_escalations:increase1d", "{{route}}"),
        ),
        series(
            "確信のない安全判定の確認（24 時間）",
            "大ちゃんが確認の一言を添えた件数と、本人の答え（たすけて／だいじょうぶ）。",
            Query("outcome:sslp_ai_safety_checks:increase1d", "{{outcome}}"),
        ),
        series(
            "モデルの安全判定との一致（24 時間）",
            "モデルの判定と端末内の判定: 一致、モデルだけ、端末内だけ。",
            Query("verdict:sslp_ai_safety_triage:increase1d", "{{verdict}}"),
        ),
    ),
)

HELPDESK = Dashboard(
    uid="sslp-helpdesk",
    title="ヘルプデスク",
    description="未解決の問い合わせ、待ち時間、応答と解決の時間、SLA、満足度。",
    tags=("helpdesk",),
    panels=(
        stat(
            "未解決（優先度別）",
            "対応中の問い合わせ。",
            Query("priority:sslp_helpdesk_backlog:max", "{{priority}}"),
            width=12,
        ),
        stat(
            "未担当のいちばん古い問い合わせ",
            "誰も担当していない問い合わせの待ち時間（緊急は 5 分で警告）。",
            Query("priority:sslp_helpdesk_oldest_unclaimed_seconds:max", "{{priority}}"),
            unit="s",
            width=12,
            thresholds=((300, "red"),),
        ),
        series(
            "いちばん長く待っている人",
            "スタッフの返事を待っている時間（優先度別）。",
            Query("priority:sslp_helpdesk_oldest_waiting_seconds:max", "{{priority}}"),
            unit="s",
        ),
        series(
            "新しい問い合わせ（経路別、24 時間）",
            "LINE、電話、メール、大ちゃんからの引き継ぎ、端末の不具合。",
            Query(
                "sum by (channel) (increase(sslp_helpdesk_tickets_opened_total[24h])) or vector(0)",
                "{{channel}}",
            ),
        ),
        series(
            "初回応答までの時間（90 パーセンタイル）",
            "受付から最初の返信まで（24 時間の集計）。",
            Query("priority:sslp_helpdesk_first_response_seconds:p90_1d", "{{priority}}"),
            unit="s",
        ),
        series(
            "経路別の初回応答までの時間（90 パーセンタイル）",
            "LINE、メール、電話などの経路ごとに、受付から最初の返信まで（24 時間の集計）。",
            Query("channel:sslp_helpdesk_first_response_by_channel_seconds:p90_1d", "{{channel}}"),
            unit="s",
        ),
        series(
            "解決までの時間（90 パーセンタイル）",
            "受付（再開）から解決まで（24 時間の集計）。",
            Query("priority:sslp_helpdesk_resolution_seconds:p90_1d", "{{priority}}"),
            unit="s",
        ),
        stat(
            "SLA 超過（24 時間）",
            "初回応答・次の応答・解決の目標を超えた件数。",
            Query("target:sslp_helpdesk_sla_breaches:increase1d", "{{target}}"),
            width=12,
            thresholds=((1, "red"),),
        ),
        stat(
            "満足度（30 日、5 点満点）",
            "解決後のアンケートの平均。",
            Query("sslp_helpdesk_csat:mean30d", "満足度"),
            width=12,
            thresholds=((0, "red"), (3, "orange"), (4, "green")),
        ),
    ),
)

PLATFORM = Dashboard(
    uid="sslp-platform-health",
    title="基盤の健全性",
    description="4 サービスの稼働、Kafka の遅れ、デッドレター、アウトボックス、HTTP とイベント処理。",
    tags=("platform",),
    refresh="15s",
    time_from="now-6h",
    panels=(
        stat(
            "サービス稼働状況",
            "Prometheus が各サービスの /metrics を取得できているか（1 = 稼働中、0 = 停止）。",
            Query('up{job=~"line_gateway|tablet_lending|ai_chat|helpdesk"}', "{{job}}"),
            width=24,
            height=4,
            thresholds=((0, "red"), (1, "green")),
        ),
        series(
            "Kafka の処理待ち（グループ・トピック別）",
            "コンシューマーグループがまだ処理していないメッセージ数。",
            Query("group_topic:sslp_kafka_consumer_lag:max", "{{group}} {{topic}}"),
        ),
        series(
            "デッドレター（直近 1 時間）",
            "再試行しても処理できず .dlq に送ったメッセージ。",
            Query("topic:sslp_dead_letters:increase1h", "{{topic}}"),
        ),
        series(
            "アウトボックス未送信件数",
            "MongoDB に記録済みで Kafka にまだ送っていないイベント。",
            Query("job:sslp_outbox_backlog:sum", "{{job}}"),
        ),
        series(
            "HTTP サーバーエラー（5xx、毎秒）",
            "各サービスの 5xx 応答。",
            Query("job:sslp_http_server_errors:rate5m", "{{job}}"),
            unit="reqps",
        ),
        series(
            "HTTP リクエスト数（毎秒）",
            "各サービスが受けたリクエスト。",
            Query("sum by (job) (rate(sslp_http_requests_total[$__rate_interval]))", "{{job}}"),
            unit="reqps",
        ),
        series(
            "イベント処理数（結果別、毎秒）",
            "Kafka から受け取って処理したメッセージ。",
            Query(
                "sum by (job, outcome) (rate(sslp_events_consumed_total[$__rate_interval]))",
                "{{job}} {{outcome}}",
            ),
            unit="ops",
        ),
        series(
            "イベント処理時間（99 パーセンタイル）",
            "受け取ってから処理を終えるまで（再試行を含む）。",
            Query(
                "histogram_quantile(0.99, sum by (job, le) "
                "(rate(sslp_event_handling_seconds_bucket[$__rate_interval])))",
                "{{job}}",
            ),
            unit="s",
        ),
        series(
            "再試行とリレーの失敗（毎秒）",
            "処理の再試行と、アウトボックスから Kafka への送信の失敗。",
            Query(
                "sum by (job) (rate(sslp_event_handling_retries_total[$__rate_interval])) "
                "or vector(0)",
                "再試行 {{job}}",
            ),
            Query(
                "sum by (job) (rate(sslp_outbox_relay_errors_total[$__rate_interval]))",
                "リレー失敗 {{job}}",
            ),
            unit="ops",
        ),
    ),
)

DASHBOARDS = (PROGRAMME, LINE, DAICHAN, HELPDESK, PLATFORM)


def render(dashboard: Dashboard) -> str:
    return json.dumps(dashboard.to_json(), ensure_ascii=False, indent=2) + "\n"
