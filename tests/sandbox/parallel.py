"""Requests sent at the same moment from threads, each with a database connection of its
own (so the test using it must be transactional), closed when the thread is done."""

import threading
from collections.abc import Callable

from django.db import connection


def in_parallel(n: int, request: Callable[[int], object]) -> list[int]:
    """Call request(i) for i in range(n) from n threads released together; their statuses.
    Keep n below the PostgreSQL pool's size (DATABASE_POOL_MAX, 20): the test client does
    not hand connections back to the pool between requests."""
    statuses: list[int] = []
    start = threading.Barrier(n)

    def one(i: int) -> None:
        try:
            start.wait()
            statuses.append(request(i).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses
