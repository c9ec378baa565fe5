"""How fast this machine runs Python right now. The absolute targets (cases per second, requests per
second) move with it: the same code measured 2.4x apart on two days on machines of the same kind."""
import time

LOOPS = 5_000_000


def python_loop_ms(repeats=3):
    """The best of `repeats` runs of a fixed pure-Python loop, in milliseconds."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for number in range(LOOPS):
            total += number
        best = min(best, time.perf_counter() - started)
    return best * 1000


def line():
    return f"Machine speed: a {LOOPS:,}-step Python loop took {python_loop_ms():,.0f} ms (lower is faster)"
