"""A program that chooses its own start method, as the multiprocessing docs show."""

import multiprocessing as mp


def cube(n):
    return n**3


if __name__ == "__main__":
    mp.set_start_method("spawn")
    with mp.Pool(2) as pool:
        print(pool.map(cube, [1, 2, 3]))
    print(mp.get_start_method())
