"""Demo recordings of every built-in scenario (``concur-tui replay --demo NAME``).

Regenerate them with ``python bench/make_demos.py``.
"""
