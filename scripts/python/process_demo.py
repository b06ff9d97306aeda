#!/usr/bin/env python3
"""Our Python version of the multiprocessing example, for the comparison column.

    python3 scripts/python/process_demo.py [--tasks N] [--delay-ms MS] [--json] [--timeline]
    python3 scripts/python/process_demo.py isolation
    python3 scripts/python/process_demo.py cpu [--size N] [--workers N] [--rounds N]

Default: N child processes each sleep and are joined; about one delay in total.
`isolation`: each child changes a module-level value; the parent's copy stays
as it was, because every process has its own memory.
`cpu`: the sum of squares on one process, then split across a pool of worker
processes (best of --rounds rounds); each has its own interpreter and its own
GIL, so this one does speed up.

Children are forked (the Linux default in 3.11, asked for explicitly), so they
share the parent's clock start and report their spans through one pipe. As in
the Rust demo, a refused fork ends the forking: one `error:` line says why,
the children already started are joined, and a last line counts the rest.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import errno  # noqa: E402 (imports come after the clock on purpose)
import multiprocessing  # noqa: E402
import sys  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "process-demo"

value = 0  # the module-level value `isolation` changes in each child


def context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def task(name, delay_s):
    """The article's task(name), with the delay as an argument."""
    kit.say(f"Process {name}: Starting...")
    time.sleep(delay_s)
    kit.say(f"Process {name}: Finishing.")


def bump_value(number, delay_s):
    global value
    time.sleep(delay_s)
    value += number + 1  # changes this child's copy only
    kit.say(f"Process {number}: my value is {value}")
    return value


def child(body, number, delay_s, clock, pipe):
    """Runs in the child: the task, then its span and result back to the parent.

    `send` of so small a message is one write of under PIPE_BUF bytes, which a
    pipe keeps whole, so the children need no lock; and unlike a Queue's `put`
    it starts no feeder thread, which under `ulimit -u` could itself be refused.
    """
    result, span = clock.span(number, body, number, delay_s)
    pipe.send((span, result))


def refusal(err):
    """Why Process.start() failed, in the Rust demo's words for a refused fork."""
    if err.errno in (errno.EAGAIN, errno.ENOMEM):  # fork's own errors; its pipes fail otherwise
        return f"fork failed with {errno.errorcode[err.errno]}: {err.strerror}"
    return f"Process.start() failed: {err}"


def run_in_processes(clock, args, body):
    """One process per task, until a fork is refused; returns (spans, results
    by task, failed, the line counting the processes that could not start or None)."""
    ctx = context()
    reader, writer = ctx.Pipe(duplex=False)
    delay_s = args.delay_ms / 1e3
    processes, why = [], None
    for i in range(args.tasks):
        p = ctx.Process(target=child, args=(body, i, delay_s, clock, writer))
        try:
            p.start()
        except OSError as err:  # stop, as the uncaught error would, but join those started
            why = refusal(err)
            kit.error(f"could not start process {i}: {why}")
            break
        processes.append(p)
    # Each child holds its own copy of the write end, so reading reaches
    # end-of-file once the last one has exited. Reading first, joining after:
    # a child blocked on a full pipe would never exit while we wait in join().
    writer.close()
    spans, results = [], {}
    while True:
        try:
            span, result = reader.recv()
        except EOFError:
            break
        spans.append(span)
        results[span["task"]] = result
    not_started = args.tasks - len(processes)
    failed = not_started
    for p in processes:
        p.join()
        if p.exitcode != 0:
            kit.error(f"process {p.name} exited with {p.exitcode}")
            failed += 1
    line = None
    if why is not None:
        stopped = " (no more were tried after the first refusal)" if not_started > 1 else ""
        line = (f"{len(processes)} of {args.tasks} processes started; "
                f"{not_started} could not: {why}{stopped}")
    return spans, results, failed, line


def run_default(clock, args):
    spans, _, failed, refused = run_in_processes(clock, args, task)
    kit.say("All processes have finished.")
    if refused:
        kit.error(refused)  # last, as in the Rust demo
    fields = kit.summary(DEMO, "processes", args, clock, args.delay_ms, spans, failed)
    return kit.report(fields, args)


def run_isolation(clock, args):
    spans, results, failed, refused = run_in_processes(clock, args, bump_value)
    kit.say(f"Parent: my value is still {value}")
    if refused:
        kit.error(refused)
    child_values = [results[i] for i in sorted(results)]
    fields = kit.summary(DEMO, "isolation", args, clock, args.delay_ms, spans, failed,
                         parent_value=value, child_values=child_values)
    return kit.report(fields, args)


def sum_in_processes(clock, parts, workers):
    """The parts on a pool of worker processes; returns (their wrapped total, spans)."""
    start_ms = clock.ms()
    pool = context().Pool(workers)  # starting the workers is part of the cost, as in Rust
    try:
        results = pool.map(kit.sum_of_squares, parts)
    finally:
        pool.close()
        pool.join()  # waited for, so their memory counts in max_rss_kb
    spans = [{"task": i, "start_ms": start_ms, "end_ms": clock.ms()} for i in range(len(parts))]
    return sum(results) & kit.MASK, spans


def run_cpu(clock, args):
    kit.say(f"Sum of squares below {args.size:,}: once in this process, then on "
            f"{args.workers} processes; {kit.best_of(args.rounds)}")
    parts = kit.split(args.size, args.workers)
    try:
        best = kit.cpu_rounds(args, "one process", "processes",
                              lambda: sum_in_processes(clock, parts, args.workers))
    except OSError as err:  # Pool() raises at a refused fork, having ended the workers it started
        kit.error(f"could not start a pool of {args.workers} processes: {refusal(err)}; "
                  "Pool ended the workers it had started")
        args.tasks, args.delay_ms = args.workers, 0
        return kit.report(kit.summary(DEMO, "cpu", args, clock, 0, [], args.workers), args)
    return kit.cpu_report(DEMO, clock, args, "processes", "one process", best)


def main(argv=None):
    parser, sub = kit.command_parser("process_demo.py", __doc__)
    kit.subcommand(sub, "isolation", "each child changes its own copy of a value")
    kit.add_cpu(sub, "CPU-bound sum of squares on processes", max_workers=256)
    return kit.run(parser, argv, CLOCK_START,
                   {None: run_default, "isolation": run_isolation, "cpu": run_cpu})


if __name__ == "__main__":
    sys.exit(main())
