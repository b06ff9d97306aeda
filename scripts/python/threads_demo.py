#!/usr/bin/env python3
"""Our Python version of the threading example, for the comparison column.

    python3 scripts/python/threads_demo.py [--tasks N] [--delay-ms MS] [--json] [--timeline]
    python3 scripts/python/threads_demo.py shared
    python3 scripts/python/threads_demo.py cpu [--size N] [--workers N] [--rounds N]

Default: N threads each sleep (the stand-in for waiting on the network) and are
joined; about one delay in total, since sleeping releases the GIL.
`cpu`: the sum of squares, first on one thread, then split across threads
(best of --rounds rounds). The GIL lets one thread run Python bytecode at a
time, so expect no speedup here; the Rust port (`threads-demo cpu`) is where
threads do run in parallel.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import sys  # noqa: E402 (imports come after the clock on purpose)
import threading  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "threads-demo"


def task(name, delay_s):
    """The article's task(name), with the delay as an argument."""
    kit.say(f"Thread {name}: Starting...")
    time.sleep(delay_s)  # blocks this thread only; the GIL is released while it sleeps
    kit.say(f"Thread {name}: Finishing.")


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
    spans, failed = run_in_threads(clock, args, lambda i: task(i, delay_s))
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


def sum_on_threads(clock, parts):
    """One thread per part; returns (their wrapped total, their spans)."""
    results = [None] * len(parts)
    spans = []

    def work(i):
        start_ms = clock.ms()
        results[i] = kit.sum_of_squares(parts[i])  # holds the GIL except at switch points
        spans.append({"task": i, "start_ms": start_ms, "end_ms": clock.ms()})

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(parts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(r for r in results if r is not None) & kit.MASK, spans


def run_cpu(clock, args):
    kit.say(f"Sum of squares below {args.size:,}: once on one thread, then on "
            f"{args.workers} threads; {kit.best_of(args.rounds)}")
    parts = kit.split(args.size, args.workers)
    best = kit.cpu_rounds(args, "one thread", "threads", lambda: sum_on_threads(clock, parts))
    return kit.cpu_report(DEMO, clock, args, "threads", "one thread", best,
                          note=" (the GIL runs one at a time)")


def main(argv=None):
    parser, sub = kit.command_parser("threads_demo.py", __doc__)
    kit.subcommand(sub, "shared", "every thread adds to one shared counter")
    kit.add_cpu(sub, "CPU-bound sum of squares on threads", max_workers=1024)
    return kit.run(parser, argv, CLOCK_START,
                   {None: run_default, "shared": run_shared, "cpu": run_cpu})


if __name__ == "__main__":
    sys.exit(main())
