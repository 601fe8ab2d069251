"""A ProcessPoolExecutor with 12 CPU-bound items and 2 workers: most items wait in its queue."""

from concurrent.futures import ProcessPoolExecutor


def burn(n: int) -> int:
    total = 0
    for i in range(1_500_000):
        total += i % (n + 1)
    return total


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as pool:
        print(sum(pool.map(burn, range(12))))
