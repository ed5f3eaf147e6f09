"""A mail's kept attachments, downloaded by staff. Errors are English: {"message": ...}.

Reading one is reading the requester's personal data: it is audited like reading the ticket.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import Response

from services.helpdesk.api.deps import HelpdeskDep, Worker
from services.helpdesk.domain.mail.downloads import download_headers, safe_content_type

router = APIRouter(prefix="/staff/api", tags=["tickets"])

AttachmentId = Path(pattern=r"^att-[0-9a-f]{24}$", description="From the mail entry's list")


@router.get(
    "/tickets/{ticket_id}/attachments/{attachment_id}",
    summary="Download an attachment kept from a mail (saved, never shown inline)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download(
    ticket_id: str,
    claims: Worker,
    helpdesk: HelpdeskDep,
    attachment_id: str = AttachmentId,
) -> Response:
    found = await helpdesk.tickets.attachments.get(ticket_id=ticket_id, attachment_id=attachment_id)
    if found is None:
        raise HTTPException(404, "No such attachment on this ticket.")
    await helpdesk.audit.record(
        actor=claims.sub,
        action="ticket.attachment.read",
        subject=ticket_id,
        details={"attachment": attachment_id, "size": found.ref.size},
    )
    return Response(
        content=found.data,
        media_type=safe_content_type(found.ref.content_type),
        headers=download_headers(found.ref.filename),
    )
