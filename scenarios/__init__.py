"""Built-in scenarios: small, plain Python programs taken from the concurrency guide.

Each module is ordinary standard-library code that also runs on its own
(``python -m scenarios.thread_sleep``). It declares, as plain literals that the
tool reads without importing the module:

- ``TITLE``: one line;
- ``KIND``: ``"threads"``, ``"processes"``, ``"asyncio"`` or ``"mixed"``;
- ``LESSON``: a few sentences in the guide's terms: what to watch for;
- ``PARAMS``: ``{name: {"default": value, "min": low, "max": high, "help": text}}``
  (the type is the default's type: int, float, bool or str);

and a ``main(**params)`` function whose keyword arguments are those parameters.
Nothing here imports the dashboard: the tool finds the tasks by instrumenting
the standard library.
"""
