"""The access log never carries a follow-up token or a short code (sync.server.access_log)."""

from __future__ import annotations

import logging
import logging.config

from sync.server.access_log import RedactVisitorKeys, log_config, redact_path


def test_visitor_keys_are_redacted_and_the_rest_of_the_path_stays():
    assert redact_path("/f/AbC-123_x") == "/f/[redacted]"
    assert redact_path("/f/AbC123/withdraw?lang=sv") == "/f/[redacted]/withdraw?lang=sv"
    assert redact_path("/f/AbC123/events.ics") == "/f/[redacted]/events.ics"
    assert redact_path("/k/7Q4K") == "/k/[redacted]"
    assert redact_path("/staff/f/AbC") == "/staff/f/AbC"  # only the visitor routes
    assert redact_path("/healthz") == "/healthz"
    assert redact_path("/api/v1/batches") == "/api/v1/batches"


def test_uvicorns_access_lines_go_through_the_filter(capsys):
    logging.config.dictConfig(log_config())
    try:
        access = logging.getLogger("uvicorn.access")
        access.info(
            '%s - "%s %s HTTP/%s" %d', "10.1.2.3:5555", "GET", "/f/SeCrEtToKeN?lang=fi", "1.1", 200
        )
        err = capsys.readouterr().out
        assert "SeCrEtToKeN" not in err and '"GET /f/[redacted]?lang=fi HTTP/1.1" 200' in err
        handler = logging.getLogger("uvicorn.access").handlers[0]
        assert any(isinstance(f, RedactVisitorKeys) for f in handler.filters)
    finally:
        logging.getLogger("uvicorn.access").handlers.clear()
