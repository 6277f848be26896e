"""sync.protocol as a package: stdlib-only parts the kiosk can import without pydantic, every
old name still importable from the package, and a secret that is not base64url refused."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

import sync.protocol
from sync.protocol import LANGS, Record, SecretError, secret_bytes, sign_request


def test_the_plain_parts_import_no_pydantic():
    code = (
        "import sys\n"
        "from sync.protocol import MAX_THEMES, LANGS, ID_RE, sign_request, make_batch_file\n"
        "from sync.protocol import new_follow_up_token, utc_now_iso\n"
        "assert 'pydantic' not in sys.modules, 'pydantic was imported'\n"
        "from sync.protocol import Record\n"
        "assert 'pydantic' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_exported_name_resolves():
    for name in sync.protocol.__all__:
        assert getattr(sync.protocol, name) is not None, name
    with pytest.raises(AttributeError):
        _ = sync.protocol.no_such_name  # type: ignore[attr-defined]


def test_the_record_schema_offers_the_shared_languages():
    assert typing.get_args(Record.model_fields["lang"].annotation) == LANGS


def test_a_real_secret_signs():
    secret = "5UVprhDDe8s3bNtf2XePHfZetjF0m7gwDy9twQNzbkA"  # as enroll-kiosk prints one
    assert len(secret_bytes(secret)) == 32
    assert sign_request(secret, "POST", "/x", 1, b"") == sign_request(
        secret_bytes(secret), "POST", "/x", 1, b""
    )


@pytest.mark.parametrize("text", ["not base64!", "abcde", "", "ÄÄÄÄ"])
def test_a_secret_that_is_not_base64url_is_an_error(text):
    with pytest.raises(SecretError):
        secret_bytes(text)
    with pytest.raises(SecretError):
        sign_request(text, "POST", "/x", 1, b"")
