"""Benchmarks: each module prints a table beside a baseline measured in the same run.

Run them with ``python -m benchmarks [name ...]`` (see ``__main__.py``); not part of ``make test``.
"""
