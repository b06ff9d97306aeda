#!/usr/bin/env python3
"""Our Python version of the multiprocessing example, for the comparison column.

    python3 scripts/python/process_demo.py [--tasks N] [--delay-ms MS] [--json] [--timeline]
    python3 scripts/python/process_demo.py isolation
    python3 scripts/python/process_demo.py cpu [--size N] [--workers N]

Default: N child processes each sleep and are joined; about one delay in total.
`isolation`: each child changes a module-level value; the parent's copy stays
as it was, because every process has its own memory.
`cpu`: the sum of squares on one process, then split across a pool of worker
processes; each has its own interpreter and its own GIL, so this one does speed up.

Children are forked (the Linux default in 3.11, asked for explicitly), so they
share the parent's clock start and report their spans through a queue.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import multiprocessing  # noqa: E402 (imports come after the clock on purpose)
import os  # noqa: E402
import queue as queue_module  # noqa: E402
import sys  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "process-demo"
CPU_SIZE = 20_000_000  # same as threads_demo.py: about 1.3 s per pass in CPython 3.11 here
MASK = (1 << 64) - 1

value = 0  # the module-level value `isolation` changes in each child


def context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def wait_then_finish(number, delay_s):
    kit.say(f"Process {number}: Starting...")
    time.sleep(delay_s)
    kit.say(f"Process {number}: Finishing.")


def bump_value(number, delay_s):
    global value
    time.sleep(delay_s)
    value += number + 1  # changes this child's copy only
    kit.say(f"Process {number}: my value is {value}")
    return value


def child(body, number, delay_s, clock, queue):
    """Runs in the child: the task, then its span and result back to the parent."""
    result, span = clock.span(number, body, number, delay_s)
    queue.put((span, result))


def run_in_processes(clock, args, body):
    """One process per task; returns (spans, results by task, failed)."""
    ctx = context()
    queue = ctx.Queue()
    delay_s = args.delay_ms / 1e3
    processes, failed = [], 0
    for i in range(args.tasks):
        p = ctx.Process(target=child, args=(body, i, delay_s, clock, queue))
        try:
            p.start()
            processes.append(p)
        except OSError as err:  # out of processes or memory: count it, keep the others
            kit.error(f"could not start process {i}: {err}")
            failed += 1
    # Drain the queue before joining: a child whose message is still in the
    # pipe cannot exit, so joining first could wait forever with many children.
    spans, results = [], {}
    while len(spans) < len(processes):
        try:
            span, result = queue.get(timeout=0.05)
        except queue_module.Empty:
            if any(p.is_alive() for p in processes):
                continue
            try:  # every child has exited; whatever it sent is already in the pipe
                span, result = queue.get(timeout=0.2)
            except queue_module.Empty:
                break
        spans.append(span)
        results[span["task"]] = result
    for p in processes:
        p.join()
        if p.exitcode != 0:
            kit.error(f"process {p.name} exited with {p.exitcode}")
            failed += 1
    return spans, results, failed


def run_default(clock, args):
    spans, _, failed = run_in_processes(clock, args, wait_then_finish)
    kit.say("All processes have finished.")
    fields = kit.summary(DEMO, "processes", args, clock, args.delay_ms, spans, failed)
    return kit.report(fields, args)


def run_isolation(clock, args):
    spans, results, failed = run_in_processes(clock, args, bump_value)
    kit.say(f"Parent: my value is still {value}")
    child_values = [results[i] for i in sorted(results)]
    fields = kit.summary(DEMO, "isolation", args, clock, args.delay_ms, spans, failed,
                         parent_value=value, child_values=child_values)
    return kit.report(fields, args)


def sum_of_squares(bounds):
    start, stop = bounds
    return sum(i * i for i in range(start, stop)) & MASK


def run_cpu(clock, args):
    size, workers = args.size, args.workers
    kit.say(f"Sum of squares below {size:,}: once in this process, then on {workers} processes")
    t0 = time.perf_counter()
    expected = sum_of_squares((0, size))
    sequential_ms = (time.perf_counter() - t0) * 1e3
    kit.say(f"one process: {sequential_ms:8.1f} ms")

    step = -(-size // workers)
    parts = [(lo, min(lo + step, size)) for lo in range(0, size, step)]
    t0 = time.perf_counter()
    start_ms = clock.ms()
    pool = context().Pool(workers)  # starting the workers is part of the cost, as in Rust
    try:
        results = pool.map(sum_of_squares, parts)
    finally:
        pool.close()
        pool.join()  # waited for, so their memory counts in max_rss_kb
    processes_ms = (time.perf_counter() - t0) * 1e3
    spans = [{"task": i, "start_ms": start_ms, "end_ms": clock.ms()} for i in range(len(parts))]
    total = sum(results) & MASK
    failed = 0 if total == expected else 1
    if failed:
        kit.error(f"the processes summed to {total}, not {expected}")
    speedup = sequential_ms / processes_ms if processes_ms > 0 else 0.0
    kit.say(f"{workers} processes: {processes_ms:8.1f} ms  speedup {speedup:.2f}x")
    args.tasks, args.delay_ms = workers, 0  # as in Rust: the tasks are the workers; nothing waits
    fields = kit.summary(DEMO, "cpu", args, clock, sequential_ms / workers, spans, failed,
                         size=size, workers=workers, result=expected,
                         sequential_ms=round(sequential_ms, 2),
                         processes_ms=round(processes_ms, 2),
                         processes_speedup=round(speedup, 3))
    return kit.report(fields, args)


def main(argv=None):
    parser = kit.add_common(kit.Parser(prog="process_demo.py", description=__doc__.split("\n\n")[1]))
    sub = parser.add_subparsers(dest="command")
    kit.add_common(sub.add_parser("isolation", help="each child changes its own copy of a value"),
                   top=False)
    cpu = kit.add_common(sub.add_parser("cpu", help="CPU-bound sum of squares on processes"),
                         top=False)
    cpu.add_argument("--size", type=kit.bounded(1, 10**12), default=CPU_SIZE, metavar="N")
    cpu.add_argument("--workers", type=kit.bounded(1, 256), default=os.cpu_count() or 1, metavar="N")
    args = kit.parse(parser, argv)
    clock = kit.Clock(CLOCK_START)
    if args.command == "isolation":
        return run_isolation(clock, args)
    if args.command == "cpu":
        return run_cpu(clock, args)
    return run_default(clock, args)


if __name__ == "__main__":
    sys.exit(main())
