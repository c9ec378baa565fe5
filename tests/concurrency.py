"""Run a function in several threads at once, each on its own database connection."""
import threading

from django.db import connection


def run_concurrently(function, workers):
    """Start `workers` threads that call `function()` together (a barrier lines them up); return the
    results, or raise the first error a thread met."""
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(function())
        except Exception as error:  # re-raised below: a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert len(results) == workers, "a thread did not finish"
    return results
