"""Demo recordings of the guide's scenarios (``concur-tui replay --demo NAME``).

Regenerate them with ``python bench/make_demos.py``.
"""
