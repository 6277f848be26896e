"""USB import on the web: a batch file from a stick, uploaded on the Batches page.

``POST /staff/batches/import`` (multipart, CSRF) runs the very checks of ``kiosk-server
import-batch`` (:func:`sync.server.db.usb_import.import_batch_file`) and answers with the Batches
page: the result in one sentence, or the problem in one sentence next to the file field (400).
At most :data:`~sync.server.db.usb_import.USB_FILE_MAX_BYTES` (and one byte) of the upload is read.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile

from sync.server.db.usb_import import USB_FILE_MAX_BYTES, BatchFileRefused, import_batch_file
from sync.server.domain.i18n import translations
from sync.server.resources.staff.audit import actor_of
from sync.server.resources.staff.auth import CsrfForm, PageUser, staff_lang
from sync.server.resources.staff.pages import batches_response
from sync.server.usb_keys import usb_private_keys

__all__ = ["REFUSAL_TEXTS", "router"]

router = APIRouter()

# One sentence per refusal (msgids of the web catalogue).
REFUSAL_TEXTS = {
    "no-file": "Choose a batch file first.",
    "not-batch-file": "This is not a batch file. Choose the file the kiosk wrote on the USB stick.",
    "too-large": "The file is too large to be one kiosk's batch.",
    "unknown-kiosk": "The file comes from a kiosk this server does not know (%(kiosk)s).",
    "disabled-kiosk": "The file comes from a disabled kiosk (%(kiosk)s).",
    "bad-signature": "The file's signature does not match its kiosk: it was changed or damaged.",
    "invalid-batch": "The batch in the file breaks the rules, so nothing was stored: %(detail)s",
    "conflict": "A batch with the same id but other records was stored before; nothing was stored.",
}


@router.post("/staff/batches/import", include_in_schema=False)
def import_batch(request: Request, user: PageUser, form: CsrfForm):
    gettext = translations(staff_lang(request)).gettext
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _refused(request, user, gettext(REFUSAL_TEXTS["no-file"]))
    # Read through the spooled file synchronously: this route runs in a worker thread.
    data = upload.file.read(USB_FILE_MAX_BYTES + 1)
    settings = request.app.state.settings
    try:
        result = import_batch_file(
            request.app.state.engine,
            data,
            actor=actor_of(request, user),
            file_name=upload.filename,
            private_keys=usb_private_keys(settings),
            scope=user.scope,
            age_groups=settings.age_groups,
            districts=settings.districts,
        )
    except BatchFileRefused as refusal:
        # The first field problems say which record and field; the message says how many.
        detail = "; ".join(str(e) for e in refusal.errors[:3]) or refusal.message
        text = gettext(REFUSAL_TEXTS[refusal.kind]) % {
            "kiosk": refusal.kiosk_id,
            "detail": detail,
        }
        return _refused(request, user, text)
    return batches_response(request, user, {"imported": result})


def _refused(request: Request, user, text: str):
    return batches_response(request, user, {"import_error": text}, status_code=400)
