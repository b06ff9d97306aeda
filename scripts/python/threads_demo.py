#!/usr/bin/env python3
"""Our Python version of the threading example, for the comparison column.

    python3 scripts/python/threads_demo.py [--tasks N] [--delay-ms MS] [--json] [--timeline]
    python3 scripts/python/threads_demo.py shared
    python3 scripts/python/threads_demo.py cpu [--size N] [--workers N]

Default: N threads each sleep (the stand-in for waiting on the network) and are
joined; about one delay in total, since sleeping releases the GIL.
`cpu`: the sum of squares, first on one thread, then split across threads. The
GIL lets one thread run Python bytecode at a time, so expect no speedup here;
the Rust port (`threads-demo cpu`) is where threads do run in parallel.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import os  # noqa: E402 (imports come after the clock on purpose)
import sys  # noqa: E402
import threading  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "threads-demo"
CPU_SIZE = 20_000_000  # about 1.3 s per pass in CPython 3.11 here; Rust's own size is far larger
MASK = (1 << 64) - 1  # Rust sums with wrapping u64 arithmetic; the same result modulo 2**64


def wait_then_finish(number, delay_s):
    kit.say(f"Thread {number}: Starting...")
    time.sleep(delay_s)  # blocks this thread only; the GIL is released while it sleeps
    kit.say(f"Thread {number}: Finishing.")


def run_in_threads(clock, args, body):
    """Starts one thread per task running body(i), joins them all; returns (spans, failed)."""
    spans, errors = [], []

    def worker(i):
        try:
            _, span = clock.span(i, body, i)
            spans.append(span)  # list.append is atomic in CPython
        except Exception as err:  # a failing task is counted, not lost
            errors.append(err)
            kit.error(f"task {i} failed: {err}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.tasks)]
    failed = 0
    started = []
    for t in threads:
        try:
            t.start()
            started.append(t)
        except RuntimeError as err:  # "can't start new thread"
            kit.error(f"could not start a thread: {err}")
            failed += 1
    for t in started:
        t.join()
    return spans, failed + len(errors)


def run_default(clock, args):
    delay_s = args.delay_ms / 1e3
    spans, failed = run_in_threads(clock, args, lambda i: wait_then_finish(i, delay_s))
    kit.say("All threads have finished.")
    fields = kit.summary(DEMO, "threads", args, clock, args.delay_ms, spans, failed)
    return kit.report(fields, args)


def run_shared(clock, args):
    """Every thread adds one to the same counter: threads share memory."""
    lock = threading.Lock()
    counter = [0]
    delay_s = args.delay_ms / 1e3

    def add_one(i):
        time.sleep(delay_s)
        with lock:
            counter[0] += 1
        kit.say(f"Thread {i}: counter is now {counter[0]}")

    spans, failed = run_in_threads(clock, args, add_one)
    kit.say(f"Counter: {counter[0]} (expected {args.tasks})")
    fields = kit.summary(DEMO, "shared", args, clock, args.delay_ms, spans, failed,
                         counter=counter[0], expected=args.tasks)
    return kit.report(fields, args)


def sum_of_squares(start, stop):
    return sum(i * i for i in range(start, stop)) & MASK


def chunks(size, workers):
    step = -(-size // workers)
    return [(lo, min(lo + step, size)) for lo in range(0, size, step)] or [(0, 0)]


def run_cpu(clock, args):
    size, workers = args.size, args.workers
    kit.say(f"Sum of squares below {size:,}: once on one thread, then on {workers} threads")
    t0 = time.perf_counter()
    expected = sum_of_squares(0, size)
    sequential_ms = (time.perf_counter() - t0) * 1e3
    kit.say(f"one thread:  {sequential_ms:8.1f} ms")

    parts = chunks(size, workers)
    results = [None] * len(parts)
    spans = []

    def work(i):
        start_ms = clock.ms()
        results[i] = sum_of_squares(*parts[i])  # holds the GIL except at switch points
        spans.append({"task": i, "start_ms": start_ms, "end_ms": clock.ms()})

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(parts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    threads_ms = (time.perf_counter() - t0) * 1e3
    total = sum(r for r in results if r is not None) & MASK
    failed = 0 if total == expected else 1
    if failed:
        kit.error(f"the threads summed to {total}, not {expected}")
    speedup = sequential_ms / threads_ms if threads_ms > 0 else 0.0
    kit.say(f"{workers} threads:   {threads_ms:8.1f} ms  speedup {speedup:.2f}x (the GIL runs one at a time)")
    args.tasks, args.delay_ms = workers, 0  # as in Rust: the tasks are the workers; nothing waits
    fields = kit.summary(DEMO, "cpu", args, clock, sequential_ms / workers, spans, failed,
                         size=size, workers=workers, result=expected,
                         sequential_ms=round(sequential_ms, 2), threads_ms=round(threads_ms, 2),
                         threads_speedup=round(speedup, 3))
    return kit.report(fields, args)


def main(argv=None):
    parser = kit.add_common(kit.Parser(prog="threads_demo.py", description=__doc__.split("\n\n")[1]))
    sub = parser.add_subparsers(dest="command")
    kit.add_common(sub.add_parser("shared", help="every thread adds to one shared counter"), top=False)
    cpu = kit.add_common(sub.add_parser("cpu", help="CPU-bound sum of squares on threads"), top=False)
    cpu.add_argument("--size", type=kit.bounded(1, 10**12), default=CPU_SIZE, metavar="N")
    cpu.add_argument("--workers", type=kit.bounded(1, 1024), default=os.cpu_count() or 1, metavar="N")
    args = kit.parse(parser, argv)
    clock = kit.Clock(CLOCK_START)
    if args.command == "shared":
        return run_shared(clock, args)
    if args.command == "cpu":
        return run_cpu(clock, args)
    return run_default(clock, args)


if __name__ == "__main__":
    sys.exit(main())
