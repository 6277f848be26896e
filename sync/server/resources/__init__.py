"""The server's HTTP resources, one module per URL family, each exposing ``router``.

Resources speak HTTP only: they parse the request, call :mod:`sync.server.db` (all SQL) and
:mod:`sync.server.domain` (rules), and render the answer. They import no SQLAlchemy and run no
SQL; ``tests/test_layers.py`` holds them to it. The staff dashboard's routes are the
:mod:`~sync.server.resources.staff` package; every page renders through
:mod:`~sync.server.resources.rendering`.
"""
