"""What the webhook benchmark sends and how it counts: signed bodies the gateway accepts, new
events only, wrk's figures read back, percentiles, ratios, the one-at-a-time probe."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.webhook_bodies import (
    MARKER,
    WRK_SCRIPT,
    SignedBody,
    WrkResult,
    body_of,
    flood,
    overall_ratio,
    parse_wrk,
    percentile,
    probe_result,
    ratio,
    write_requests,
    wrk_command,
)
from services.line_gateway.domain.signature import is_valid_signature
from services.line_gateway.domain.webhook import WebhookBody

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECRET = "bench-secret"


@pytest.mark.parametrize(("kind", "events"), [("text", 25), ("ignored", 3000), ("unfollow", 300)])
def test_bodies_are_signed_webhooks_the_gateway_parses(kind: str, events: int) -> None:
    item = body_of(kind, events, SECRET, NOW)
    assert item.events == events
    assert is_valid_signature(item.body, item.signature, SECRET)
    assert not is_valid_signature(item.body, item.signature, "another-secret")
    parsed = WebhookBody.model_validate_json(item.body)
    assert len(parsed.events) == events
    assert len(item.body) < 1_048_576  # the gateway's body limit


def test_every_flood_event_is_new_a_new_senior_and_a_new_event_id() -> None:
    bodies = flood(500, SECRET, NOW)
    events = [json.loads(b.body)["events"][0] for b in bodies]
    assert all(e["type"] == "message" and e["message"]["type"] == "text" for e in events)
    assert len({e["webhookEventId"] for e in events}) == 500
    assert len({e["source"]["userId"] for e in events}) == 500
    assert len({e["replyToken"] for e in events}) == 500


def test_the_request_file_has_one_signed_body_a_line(tmp_path: Path) -> None:
    bodies = flood(3, SECRET, NOW)
    path = tmp_path / "requests.txt"
    assert write_requests(path, bodies) == 3
    lines = path.read_bytes().splitlines()
    assert len(lines) == 3
    for line, item in zip(lines, bodies, strict=True):
        signature, body = line.split(b"\t", 1)
        assert (signature.decode(), body) == (item.signature, item.body)


def test_a_body_that_would_break_the_line_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one line"):
        write_requests(tmp_path / "r.txt", [SignedBody("sig", b'{"a":\n1}', 1)])


def test_wrk_is_told_the_file_and_its_thread_count_and_lines_timeout() -> None:
    argv = wrk_command(
        "http://x/callback", Path("s.lua"), Path("r.txt"), threads=2, connections=16, seconds=15
    )
    assert argv[:4] == ["wrk", "-t2", "-c16", "-d15s"]
    assert argv[argv.index("--timeout") + 1] == "2s"
    assert argv[-3:] == ["--", "r.txt", "2"]


def test_wrk_figures_are_read_from_the_script_line() -> None:
    output = (
        "Running 15s test @ http://127.0.0.1:1/callback\n  2 threads and 16 connections\n"
        + MARKER
        + json.dumps(
            {
                "requests": 600,
                "duration_us": 15_000_000,
                "connect": 0,
                "read": 1,
                "write": 0,
                "status": 2,
                "timeout": 3,
                "p50_us": 250_000,
                "p90_us": 800_000,
                "p99_us": 1_500_000,
                "max_us": 1_900_000,
                "wrapped": 0,
            }
        )
        + "\nRequests/sec: 40.00\n"
    )
    result = parse_wrk(output)
    assert result.rate == 40.0
    assert (result.p50_ms, result.p99_ms, result.max_ms) == (250.0, 1500.0, 1900.0)
    assert result.failed == 6
    assert result.errors["timeout"] == 3


def test_no_script_line_is_an_error_not_a_zero() -> None:
    with pytest.raises(ValueError, match="SSLP-WRK"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([], 0.5) == 0.0


def result(requests: int, seconds: float) -> WrkResult:
    return WrkResult(requests, seconds, {}, 0.0, 0.0, 0.0, 0.0, 0)


def test_ratio_per_round_and_overall_weighs_by_time() -> None:
    assert ratio(50.0, 2500.0) == 0.02
    assert ratio(50.0, 0.0) is None
    gateway = [result(600, 15.0), result(300, 15.0)]  # 40 and 20 req/s
    ceiling = [result(30_000, 15.0), result(30_000, 15.0)]  # 2,000 req/s
    assert overall_ratio(gateway, ceiling) == pytest.approx(30.0 / 2000.0)
    assert overall_ratio([], ceiling) is None


def test_the_probe_keeps_late_answers_in_its_percentiles_and_counts_them_as_timeouts() -> None:
    latencies = [0.02] * 97 + [2.5, 3.0, 9.0]
    found = probe_result(latencies, [200] * 99 + [500], seconds=20.0)
    assert found.requests == 100
    assert found.rate == 5.0
    assert found.p50_ms == pytest.approx(20.0)
    assert found.p99_ms == pytest.approx(3000.0)
    assert found.max_ms == pytest.approx(9000.0)
    assert found.errors == {"status": 1, "timeout": 3}


class Recorder:
    """A bare HTTP/1.1 keep-alive server that remembers each request's signature."""

    def __init__(self) -> None:
        self.signatures: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = dict(
                    line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line
                )
                headers = {k.lower(): v for k, v in headers.items()}
                await reader.readexactly(int(headers["content-length"]))
                self.signatures.append(headers["x-line-signature"])
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def run_wrk(tmp_path: Path, lines: int) -> tuple[WrkResult, Recorder, list[SignedBody]]:
    bodies = flood(lines, SECRET, NOW)
    requests = tmp_path / "requests.txt"
    write_requests(requests, bodies)
    script = tmp_path / "script.lua"
    script.write_text(WRK_SCRIPT)
    recorder = Recorder()
    server = await asyncio.start_server(recorder.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        argv = wrk_command(
            f"http://127.0.0.1:{port}/callback",
            script,
            requests,
            threads=2,
            connections=2,
            seconds=1,
        )
        process = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)
        output, _ = await process.communicate()
    finally:
        server.close()
    return parse_wrk(output.decode()), recorder, bodies


async def test_wrk_threads_send_disjoint_new_events(tmp_path: Path) -> None:
    found, recorder, bodies = await run_wrk(tmp_path, 200_000)
    assert found.requests > 10
    assert found.wrapped == 0
    assert len(set(recorder.signatures)) == len(recorder.signatures)  # nothing sent twice
    assert set(recorder.signatures) <= {b.signature for b in bodies}


async def test_wrk_says_when_a_thread_ran_out_of_new_events(tmp_path: Path) -> None:
    found, recorder, bodies = await run_wrk(tmp_path, 10)
    assert found.wrapped > 0
    assert set(recorder.signatures) == {b.signature for b in bodies}
