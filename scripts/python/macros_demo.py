#!/usr/bin/env python3
"""Our Python version of the article's metaprogramming examples, for the comparison column.

    python3 scripts/python/macros_demo.py [--n N] [--json]

The function decorator: timing_decorator wraps complex_calculation (the sum
of the integers below n in a plain loop) so each call prints how long it
took; this is the part the comparison times. Then the class decorator:
enforce_interface checks Car, and refuses Motorcycle (no `stop`) with a
TypeError when its class statement runs. Then a metaclass that registers
each class and describes its fields as the class is defined. The Rust port
(`macros-demo`) does each with a macro, at compile time.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import functools  # noqa: E402 (imports come after the clock on purpose)
import sys  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "macros-demo"
timings = {}  # what the decorator measured, by function name, for the JSON summary


def timing_decorator(function):
    """Wraps `function` so every call reports its duration."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            took_ms = (time.perf_counter() - started) * 1e3
            timings[function.__name__] = took_ms
            kit.say(f"'{function.__name__}' ran in {took_ms / 1e3:.4f} seconds.")

    return wrapper


@timing_decorator
def complex_calculation(n):
    """Adds the integers below n, one at a time (slow on purpose)."""
    total = 0
    for i in range(n):
        total += i
    return total


def enforce_interface(cls):
    """A class decorator: refuses a class without callable `start` and `stop`."""
    for method in ("start", "stop"):
        if not callable(getattr(cls, method, None)):
            raise TypeError(f"Class '{cls.__name__}' must have a '{method}' method.")
    return cls


@enforce_interface  # runs once, when this module is loaded
class Car:
    def __init__(self, model):
        self.model = model

    def start(self):
        kit.say(f"Starting the {self.model}.")

    def stop(self):
        kit.say(f"Stopping the {self.model}.")


def define_motorcycle():
    """The class statement for Motorcycle, which has no `stop`. In a function,
    so that the TypeError comes when main asks for it, not at import."""

    @enforce_interface
    class Motorcycle:
        def __init__(self, model):
            self.model = model

        def start(self):
            kit.say(f"Starting the {self.model}.")

    return Motorcycle


def run_class_decorator():
    kit.say("")
    kit.say("The class decorator, checked when each class statement runs:")
    car = Car("Model T")
    car.start()
    car.stop()
    try:
        define_motorcycle()
    except TypeError as err:
        kit.say(f"Caught an error: {err}")


class Registered(type):
    """A metaclass: its __new__ runs each time a class that names it is
    defined; it records the class, which can then describe its own fields."""

    classes = []

    def __new__(mcs, name, bases, namespace):
        cls = super().__new__(mcs, name, bases, namespace)
        mcs.classes.append(cls)
        return cls

    def describe(cls):
        fields = ", ".join(f"{name}: {kind.__name__}"
                           for name, kind in cls.__annotations__.items())
        return f"{cls.__name__} {{ {fields} }}"


class Truck(metaclass=Registered):
    model: str
    load_kg: int


class Garage(metaclass=Registered):
    name: str
    vehicles: list


def run_metaclass():
    kit.say("")
    names = ", ".join(cls.__name__ for cls in Registered.classes)
    kit.say(f"A metaclass registered each class as it was defined: {names}")
    for cls in Registered.classes:
        kit.say(f"  {cls.describe()}")


def main(argv=None):
    # Like macros-demo: --n, --json and --timeline only (there is nothing to wait for).
    parser = kit.Parser(prog="macros_demo.py", description=__doc__.split("\n\n")[1])
    parser.add_argument("--json", action="store_true",
                        help="print one JSON summary on stdout; the narrative goes to stderr")
    parser.add_argument("--timeline", action="store_true",
                        help="after the run, draw the call's span on a time axis")
    parser.add_argument("--n", type=kit.bounded(0, 10**10), default=10_000_000, metavar="N",
                        help="add up the integers below N (default 10,000,000)")
    args = kit.parse(parser, argv)
    clock = kit.Clock(CLOCK_START)
    result, span = clock.span(0, complex_calculation, args.n)
    kit.say(f"Calculation result: {result}")
    run_class_decorator()
    run_metaclass()
    args.tasks, args.delay_ms = 1, 0
    fields = kit.summary(DEMO, "timed", args, clock, 0, [span], 0, n=args.n, result=result,
                         function_ms=round(timings["complex_calculation"], 2))
    return kit.report(fields, args)


if __name__ == "__main__":
    sys.exit(main())
