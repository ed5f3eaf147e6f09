"""What the local safety layers add in front of every message: time per message, in this process.

    .venv/bin/python -m bench.safety_latency                 # every corpus message, 3 rounds
    .venv/bin/python -m bench.safety_latency --rounds 10 --longest 5000

Runs `services.common.safety.detect` (SudachiPy analysis, the rules, the classifier) on
every message of the training corpus and the dev split, plus messages of the longest size LINE
allows, after a warm-up (the dictionary and model load once per process, at start). Prints
percentiles of the time per message, as wall-clock time and as this thread's CPU time (the
latter is what the layers cost; the former also shows what other load on the machine adds),
and the share of the 20 ms budget the p99 uses. A benchmark, not a test: run it on the machine
you want the figure for, ideally otherwise idle.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from eval.safety_data import load
from services.common.safety import detect

BUDGET_MS = 20.0


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--longest", type=int, default=5000, help="characters of the long messages")
    args = parser.parse_args(argv)

    texts = [c.text for c in load("train") + load("dev")]
    long_text = ("今日はええ天気やったから、近所の公園まで歩いてきてん。" * 200)[: args.longest - 4]
    texts += [long_text + "胸が痛い"] * 20
    started = time.perf_counter()
    detect("胸が痛い")
    warm_up_ms = (time.perf_counter() - started) * 1000

    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            detect(text)
            wall.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.thread_time() - begin_cpu) * 1000)
    print(f"messages: {len(texts)} x {args.rounds} rounds (incl. 20 of {args.longest} characters)")
    print(f"first call (loads dictionary and model): {warm_up_ms:.0f} ms")
    p99_cpu = 0.0
    for label, timings in (("wall", wall), ("cpu", cpu)):
        timings.sort()
        p50, p90, p99 = (percentile(timings, q) for q in (0.5, 0.9, 0.99))
        print(
            f"per message ({label}): mean {statistics.fmean(timings):.2f} ms, p50 {p50:.2f} ms, "
            f"p90 {p90:.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.2f} ms"
        )
        p99_cpu = p99
    print(f"cpu p99 uses {p99_cpu / BUDGET_MS:.0%} of the {BUDGET_MS:.0f} ms budget")
    return 0 if p99_cpu < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
