"""The Messaging API endpoints line_gateway calls, under LINE's own paths.

Bodies are read as raw JSON rather than through FastAPI models so that every refusal has LINE's
error shape and wording, which is what the gateway's error handling is written against.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from tools.line_simulator.errors import (
    AUTHENTICATION_FAILED,
    RETRY_KEY_NOT_UUID,
    LineError,
    default_fault_body,
    invalid_body,
)
from tools.line_simulator.rich_menus import validate_rich_menu as validate_rich_menu_body
from tools.line_simulator.rich_menus import validate_user_ids
from tools.line_simulator.settings import SimulatorSettings
from tools.line_simulator.state import Fault, FaultEndpoint, LinePlatform, Sent
from tools.line_simulator.validation import (
    detail,
    is_chat_id,
    is_user_id,
    is_uuid,
    validate_loading_seconds,
    validate_messages,
    validate_options,
    validate_recipients,
)

# LINE's default when `loadingSeconds` is left out.
DEFAULT_LOADING_SECONDS = 20


# Dependencies are `async def`: FastAPI runs a plain `def` one in its thread pool, a thread hop
# per request on the simulator's busiest paths (every user message, every reply under load).
async def get_platform(request: Request) -> LinePlatform:
    platform: LinePlatform = request.app.state.platform
    return platform


PlatformDep = Annotated[LinePlatform, Depends(get_platform)]


async def authorize(request: Request) -> None:
    settings: SimulatorSettings = request.app.state.settings
    if request.headers.get("authorization") != f"Bearer {settings.channel_access_token}":
        raise LineError(401, AUTHENTICATION_FAILED)


router = APIRouter(
    prefix="/v2/bot", tags=["Messaging API (simulated)"], dependencies=[Depends(authorize)]
)


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise LineError(400, "The request body could not be parsed as JSON") from exc
    if not isinstance(body, dict):
        raise invalid_body([detail("(body)", "Must be an object")])
    return body


def _retry_key(request: Request) -> str | None:
    key = request.headers.get("x-line-retry-key")
    if key is not None and not is_uuid(key):
        raise LineError(400, RETRY_KEY_NOT_UUID)
    return key


async def _injected(fault: Fault | None) -> Response | None:
    """The injected answer, after any injected delay; None when the call should go on."""
    if fault is None:
        return None
    if fault.delay_seconds:
        await asyncio.sleep(fault.delay_seconds)
    if fault.status is None:
        return None
    return JSONResponse(fault.body or default_fault_body(fault.status), status_code=fault.status)


async def _before(platform: LinePlatform, endpoint: FaultEndpoint) -> Response | None:
    return await _injected(platform.take_fault(endpoint, after_accept=False))


async def _answer(
    platform: LinePlatform,
    endpoint: FaultEndpoint,
    content: Any,
    *,
    status_code: int = 200,
    request_id: str | None = None,
) -> Response:
    # An after-accept fault lands here, once the work is done: the caller sees a failure (or a
    # timeout) for something LINE did accept, the case the gateway's retry keys exist for.
    injected = await _injected(platform.take_fault(endpoint, after_accept=True))
    if injected is not None:
        return injected
    headers = {"x-line-request-id": request_id} if request_id else None
    return JSONResponse(content, status_code=status_code, headers=headers)


async def _sent(platform: LinePlatform, endpoint: FaultEndpoint, sent: Sent) -> Response:
    return await _answer(platform, endpoint, sent.response, request_id=sent.request_id)


@router.post("/message/reply", summary="Reply with a reply token (free)")
async def reply(request: Request, platform: PlatformDep) -> Response:
    if (injected := await _before(platform, FaultEndpoint.REPLY)) is not None:
        return injected
    body = await _json_object(request)
    problems = validate_messages(body.get("messages")) + validate_options(body)
    if not isinstance(body.get("replyToken"), str) or not body["replyToken"]:
        problems.insert(0, detail("replyToken", "Must not be empty"))
    if problems:
        raise invalid_body(problems)
    sent = await platform.reply(body["replyToken"], body["messages"])
    return await _sent(platform, FaultEndpoint.REPLY, sent)


@router.post("/message/push", summary="Push to one user (counts against the monthly allowance)")
async def push(request: Request, platform: PlatformDep) -> Response:
    if (injected := await _before(platform, FaultEndpoint.PUSH)) is not None:
        return injected
    retry_key = _retry_key(request)
    body = await _json_object(request)
    problems = validate_messages(body.get("messages")) + validate_options(body)
    if not is_chat_id(body.get("to")):
        problems.insert(0, detail("to", "Must be a valid user, group or room ID"))
    if problems:
        raise invalid_body(problems)
    sent = await platform.push(body["to"], body["messages"], retry_key=retry_key)
    return await _sent(platform, FaultEndpoint.PUSH, sent)


@router.post("/message/multicast", summary="Push to up to 500 users")
async def multicast(request: Request, platform: PlatformDep) -> Response:
    if (injected := await _before(platform, FaultEndpoint.MULTICAST)) is not None:
        return injected
    retry_key = _retry_key(request)
    body = await _json_object(request)
    problems = (
        validate_recipients(body.get("to"))
        + validate_messages(body.get("messages"))
        + validate_options(body)
    )
    if problems:
        raise invalid_body(problems)
    sent = await platform.multicast(body["to"], body["messages"], retry_key=retry_key)
    return await _sent(platform, FaultEndpoint.MULTICAST, sent)


@router.post("/chat/loading/start", summary="Show the loading animation", status_code=202)
async def start_loading(request: Request, platform: PlatformDep) -> Response:
    if (injected := await _before(platform, FaultEndpoint.LOADING)) is not None:
        return injected
    body = await _json_object(request)
    seconds = body.get("loadingSeconds", DEFAULT_LOADING_SECONDS)
    problems = validate_loading_seconds(seconds)
    if not is_user_id(body.get("chatId")):
        problems.insert(0, detail("chatId", "Must be a valid user ID"))
    if problems:
        raise invalid_body(problems)
    await platform.start_loading(body["chatId"], seconds)
    return await _answer(platform, FaultEndpoint.LOADING, {}, status_code=202)


@router.get("/profile/{user_id}", summary="A friend's profile")
async def profile(user_id: str, platform: PlatformDep) -> Response:
    if (injected := await _before(platform, FaultEndpoint.PROFILE)) is not None:
        return injected
    return await _answer(platform, FaultEndpoint.PROFILE, platform.profile(user_id))


@router.get("/message/quota", summary="The monthly allowance")
async def quota(platform: PlatformDep) -> Response:
    if (injected := await _before(platform, FaultEndpoint.QUOTA)) is not None:
        return injected
    return await _answer(platform, FaultEndpoint.QUOTA, platform.quota())


@router.get("/message/quota/consumption", summary="Messages charged this month")
async def quota_consumption(platform: PlatformDep) -> Response:
    if (injected := await _before(platform, FaultEndpoint.QUOTA)) is not None:
        return injected
    return await _answer(platform, FaultEndpoint.QUOTA, platform.consumption())


@router.get("/message/{message_id}/content", summary="A user's image, audio or file")
async def message_content(message_id: str, platform: PlatformDep) -> Response:
    if (injected := await _before(platform, FaultEndpoint.CONTENT)) is not None:
        return injected
    content = platform.content(message_id)
    return Response(content.data, media_type=content.media_type)


@router.get("/message/{message_id}/content/transcoding", summary="Whether content is ready")
async def content_transcoding(message_id: str, platform: PlatformDep) -> Response:
    platform.content(message_id)
    return JSONResponse({"status": "succeeded"})


# -- rich menus ------------------------------------------------------------------------------
# Static paths come before `/richmenu/{rich_menu_id}` so "list" is never taken for an id.


async def _menu_fault(platform: LinePlatform) -> Response | None:
    return await _before(platform, FaultEndpoint.RICHMENU)


@router.post("/richmenu/validate", summary="Check a rich menu object without creating it")
async def validate_rich_menu(request: Request, platform: PlatformDep) -> Response:
    body = await _json_object(request)
    problems = validate_rich_menu_body(body)
    if problems:
        raise invalid_body(problems)
    return JSONResponse({})


@router.post("/richmenu", summary="Create a rich menu")
async def create_rich_menu(request: Request, platform: PlatformDep) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    menu = platform.rich_menus.create(await _json_object(request))
    return await _answer(platform, FaultEndpoint.RICHMENU, {"richMenuId": menu.rich_menu_id})


@router.get("/richmenu/list", summary="Every rich menu of the channel")
async def list_rich_menus(platform: PlatformDep) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    menus = [menu.to_json() for menu in platform.rich_menus.menus.values()]
    return await _answer(platform, FaultEndpoint.RICHMENU, {"richmenus": menus})


@router.post("/richmenu/bulk/link", summary="Link a rich menu to up to 500 users", status_code=202)
async def bulk_link(request: Request, platform: PlatformDep) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    body = await _json_object(request)
    users = validate_user_ids(body.get("userIds"))
    platform.rich_menus.link(users, str(body.get("richMenuId", "")))
    return await _answer(platform, FaultEndpoint.RICHMENU, {}, status_code=202)


@router.post("/richmenu/bulk/unlink", summary="Unlink rich menus from up to 500 users")
async def bulk_unlink(request: Request, platform: PlatformDep) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    body = await _json_object(request)
    platform.rich_menus.unlink(validate_user_ids(body.get("userIds")))
    return await _answer(platform, FaultEndpoint.RICHMENU, {}, status_code=202)


@router.get("/richmenu/{rich_menu_id}", summary="One rich menu")
async def get_rich_menu(rich_menu_id: str, platform: PlatformDep) -> Response:
    return JSONResponse(platform.rich_menus.get(rich_menu_id).to_json())


@router.delete("/richmenu/{rich_menu_id}", summary="Delete a rich menu (and unlink it everywhere)")
async def delete_rich_menu(rich_menu_id: str, platform: PlatformDep) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    platform.rich_menus.delete(rich_menu_id)
    return await _answer(platform, FaultEndpoint.RICHMENU, {})


@router.post("/richmenu/{rich_menu_id}/content", summary="Upload a rich menu's image (data host)")
async def upload_rich_menu_image(
    rich_menu_id: str, request: Request, platform: PlatformDep
) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    platform.rich_menus.upload(
        rich_menu_id, await request.body(), request.headers.get("content-type", "")
    )
    return await _answer(platform, FaultEndpoint.RICHMENU, {})


@router.get("/richmenu/{rich_menu_id}/content", summary="Download a rich menu's image (data host)")
async def download_rich_menu_image(rich_menu_id: str, platform: PlatformDep) -> Response:
    data, media_type = platform.rich_menus.image(rich_menu_id)
    return Response(data, media_type=media_type)


@router.post("/user/all/richmenu/{rich_menu_id}", summary="Set the default rich menu")
async def set_default_rich_menu(rich_menu_id: str, platform: PlatformDep) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    platform.rich_menus.set_default(rich_menu_id)
    return await _answer(platform, FaultEndpoint.RICHMENU, {})


@router.get("/user/all/richmenu", summary="The default rich menu's id")
async def get_default_rich_menu(platform: PlatformDep) -> Response:
    return JSONResponse({"richMenuId": platform.rich_menus.default_id()})


@router.delete("/user/all/richmenu", summary="Clear the default rich menu")
async def cancel_default_rich_menu(platform: PlatformDep) -> Response:
    platform.rich_menus.default = None
    return JSONResponse({})


@router.post("/user/{user_id}/richmenu/{rich_menu_id}", summary="Link a rich menu to one user")
async def link_rich_menu(user_id: str, rich_menu_id: str, platform: PlatformDep) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    if not is_user_id(user_id):
        raise invalid_body([detail("userId", "Must be a valid user ID")])
    platform.rich_menus.link([user_id], rich_menu_id)
    return await _answer(platform, FaultEndpoint.RICHMENU, {})


@router.delete("/user/{user_id}/richmenu", summary="Unlink a user's own rich menu")
async def unlink_rich_menu(user_id: str, platform: PlatformDep) -> Response:
    if (injected := await _menu_fault(platform)) is not None:
        return injected
    platform.rich_menus.unlink([user_id])
    return await _answer(platform, FaultEndpoint.RICHMENU, {})


@router.get("/user/{user_id}/richmenu", summary="The rich menu linked to one user")
async def get_user_rich_menu(user_id: str, platform: PlatformDep) -> Response:
    return JSONResponse({"richMenuId": platform.rich_menus.linked_to(user_id)})
