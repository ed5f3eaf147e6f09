"""Scheduling sessions, booking seats (by staff or from LINE), cancelling, and attendance.

Booking rules are one function, `booking_refusal`, used by staff bookings (which raise the
refusal) and LINE bookings (which answer the senior with it), so both paths agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.common.events.contracts.lending import (
    SessionAttended,
    SessionBooked,
    SessionBookingCancelled,
    SessionKind,
)
from services.common.store import Tx
from services.common.usecases import transactional
from services.tablet_lending.domain import messages
from services.tablet_lending.domain.errors import Conflict, LendingError, Refused
from services.tablet_lending.domain.events import new_id
from services.tablet_lending.domain.participants import Participant, ParticipantStatus
from services.tablet_lending.domain.sessions import (
    Registration,
    RegistrationStatus,
    Session,
    SessionIn,
)
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.enrolment import cohort_or_404, participant_or_404
from services.tablet_lending.usecases.found import found
from services.tablet_lending.usecases.outbox import publish, send_line


async def session_or_404(db: LendingDb, session_id: str, tx: Tx | None = None) -> Session:
    return await found(db.sessions.get(session_id, tx), "session", "講座", session_id)


@transactional
async def schedule_session(
    db: LendingDb, tx: Tx, *, session_in: SessionIn, actor: str, now: datetime
) -> Session:
    cohort = await cohort_or_404(db, session_in.cohort_id, tx)
    if session_in.area_code is not None and cohort.area(session_in.area_code) is None:
        raise Refused(
            "unknown_area",
            f"Area {session_in.area_code} is not one of cohort {cohort.cohort_id}'s areas.",
            f"地域コード {session_in.area_code} は、この期の対象地域ではありません。",
        )
    session = Session(session_id=new_id("S"), **session_in.model_dump())
    await db.sessions.insert(tx, session)
    await db.history.append(
        tx,
        subject=f"session:{session.session_id}",
        action="scheduled",
        actor=actor,
        at=now,
        details=session_in.model_dump(mode="python"),
    )
    await publish(tx, key=session.cohort_id, data=session.scheduled())
    return session


@transactional
async def cancel_session(
    db: LendingDb, tx: Tx, *, session_id: str, actor: str, now: datetime
) -> Session:
    """Call a session off and tell every booked senior who is on LINE."""
    session = await session_or_404(db, session_id, tx)
    if session.cancelled:
        raise Conflict(
            "session_cancelled",
            f"Session {session_id} is already cancelled.",
            f"講座 {session_id} はすでに中止になっています。",
        )
    await db.sessions.cancel(tx, session_id)
    cancelled = session.model_copy(update={"cancelled": True})
    await db.history.append(
        tx, subject=f"session:{session_id}", action="cancelled", actor=actor, at=now
    )
    await publish(tx, key=session.cohort_id, data=cancelled.scheduled())
    for registration in await db.registrations.of_session(session_id, booked_only=True, tx=tx):
        user_id = await db.links.user_of(registration.participant_id, tx)
        if user_id is None:
            continue
        await send_line(
            tx,
            command=messages.send(
                user_id=user_id,
                text=messages.session_called_off(session),
                purpose="lending.session_cancelled",
            ),
            key=f"session-cancelled:{session_id}:{registration.participant_id}",
        )
    return cancelled


async def booking_refusal(
    tx: Tx,
    *,
    db: LendingDb,
    session: Session | None,
    participant: Participant | None,
    now: datetime,
) -> LendingError | None:
    """Why this participant cannot book this session, or None if they can."""
    if session is None:
        return Refused("unknown_session", "No such session.", "講座が見つかりません。")
    if session.cancelled:
        return Refused(
            "session_cancelled",
            f"Session {session.session_id} is cancelled.",
            f"講座 {session.session_id} は中止になりました。",
        )
    if session.starts_at <= now:
        return Refused(
            "session_started",
            f"Session {session.session_id} has already started.",
            f"講座 {session.session_id} はすでに始まっています。",
        )
    if participant is None or participant.erased:
        return Refused("not_enrolled", "No such participant.", "利用者が見つかりません。")
    if participant.status is not ParticipantStatus.ENROLLED:
        return Refused(
            "not_enrolled",
            f"Participant {participant.participant_id} is {participant.status.value}, "
            "not enrolled.",
            f"利用者 {participant.participant_id} は登録済みの利用者ではありません。",
        )
    if participant.cohort_id != session.cohort_id:
        return Refused(
            "other_cohort",
            f"Session {session.session_id} is for cohort {session.cohort_id}, "
            f"not {participant.cohort_id}.",
            "この講座は、ほかの期の利用者が対象です。",
        )
    existing = await db.registrations.get(session.session_id, participant.participant_id, tx)
    if existing is not None and existing.status is RegistrationStatus.BOOKED:
        return Conflict(
            "already_booked",
            f"Participant {participant.participant_id} has already booked this session.",
            "この講座はすでに予約済みです。",
        )
    if session.seats_left <= 0:
        return Refused(
            "session_full",
            f"Session {session.session_id} is full.",
            f"講座 {session.session_id} は満席です。",
        )
    return None


async def write_booking(
    tx: Tx,
    *,
    db: LendingDb,
    session: Session,
    participant_id: str,
    via: str,
    actor: str,
    now: datetime,
) -> Registration:
    registration = session.booking(participant_id, via=via, at=now)
    await db.registrations.save(tx, registration)
    await db.sessions.add_booked(tx, session.session_id, 1)
    await db.history.append(
        tx,
        subject=f"session:{session.session_id}",
        action="booked",
        actor=actor,
        at=now,
        details={"participant_id": participant_id, "via": via},
    )
    await publish(
        tx,
        key=participant_id,
        data=SessionBooked(
            session_id=session.session_id, participant_id=participant_id, booked_at=now
        ),
    )
    updated = session.model_copy(update={"booked": session.booked + 1})
    await publish(tx, key=session.cohort_id, data=updated.scheduled())
    return registration


async def write_cancellation(
    tx: Tx,
    *,
    db: LendingDb,
    session: Session,
    registration: Registration,
    actor: str,
    now: datetime,
) -> Registration:
    cancelled = registration.model_copy(
        update={"status": RegistrationStatus.CANCELLED, "cancelled_at": now}
    )
    await db.registrations.save(tx, cancelled)
    if not registration.walk_in:
        await db.sessions.add_booked(tx, session.session_id, -1)
    await db.history.append(
        tx,
        subject=f"session:{session.session_id}",
        action="booking_cancelled",
        actor=actor,
        at=now,
        details={"participant_id": registration.participant_id},
    )
    await publish(
        tx,
        key=registration.participant_id,
        data=SessionBookingCancelled(
            session_id=session.session_id,
            participant_id=registration.participant_id,
            cancelled_at=now,
        ),
    )
    seats = session.booked - (0 if registration.walk_in else 1)
    await publish(
        tx,
        key=session.cohort_id,
        data=session.model_copy(update={"booked": max(seats, 0)}).scheduled(),
    )
    return cancelled


@transactional
async def book_session(
    db: LendingDb, tx: Tx, *, session_id: str, participant_id: str, actor: str, now: datetime
) -> Registration:
    """Staff book a seat for a participant (explanatory or follow-up)."""
    session = await session_or_404(db, session_id, tx)
    participant = await participant_or_404(db, participant_id, tx)
    refusal = await booking_refusal(tx, db=db, session=session, participant=participant, now=now)
    if refusal is not None:
        raise refusal
    return await write_booking(
        tx,
        db=db,
        session=session,
        participant_id=participant_id,
        via="staff",
        actor=actor,
        now=now,
    )


@transactional
async def cancel_booking(
    db: LendingDb, tx: Tx, *, session_id: str, participant_id: str, actor: str, now: datetime
) -> Registration:
    session = await session_or_404(db, session_id, tx)
    registration = await db.registrations.get(session_id, participant_id, tx)
    if registration is None or registration.status is not RegistrationStatus.BOOKED:
        raise Refused(
            "not_booked",
            f"Participant {participant_id} has no booking for session {session_id}.",
            f"利用者 {participant_id} のこの講座の予約はありません。",
        )
    return await write_cancellation(
        tx, db=db, session=session, registration=registration, actor=actor, now=now
    )


@transactional
async def record_attendance(
    db: LendingDb,
    tx: Tx,
    *,
    session_id: str,
    participant_id: str,
    attended: bool,
    actor: str,
    now: datetime,
) -> Registration:
    """Attendance once a session has begun; someone who came without booking is a walk-in."""
    session = await session_or_404(db, session_id, tx)
    participant = await participant_or_404(db, participant_id, tx)
    if session.starts_at > now:
        raise Refused(
            "session_not_started",
            f"Session {session_id} has not started yet; record attendance from its start.",
            "講座が始まってから出欠を記録してください。",
        )
    if participant.cohort_id != session.cohort_id:
        raise Refused(
            "other_cohort",
            f"Session {session_id} is for cohort {session.cohort_id}.",
            "この講座は、ほかの期の利用者が対象です。",
        )
    registration = await db.registrations.get(session_id, participant_id, tx)
    if registration is None:
        registration = session.booking(participant_id, via="staff", at=now, walk_in=True)
    updated = registration.model_copy(update={"attended": attended})
    await db.registrations.save(tx, updated)
    await db.history.append(
        tx,
        subject=f"session:{session_id}",
        action="attendance",
        actor=actor,
        at=now,
        details={"participant_id": participant_id, "attended": attended},
    )
    await publish(
        tx,
        key=participant_id,
        data=SessionAttended(
            session_id=session_id, participant_id=participant_id, attended=attended
        ),
    )
    return updated


@dataclass(frozen=True)
class LineBooking:
    """What a postback from LINE came to: a booking or cancellation, or why not."""

    session: Session | None
    refusal: LendingError | None


async def line_booking(
    tx: Tx,
    *,
    db: LendingDb,
    participant_id: str | None,
    session_id: str,
    cancel: bool,
    now: datetime,
) -> LineBooking:
    """Book (or cancel) a follow-up session for the participant the tap was stamped with.

    line_gateway owns the link and stamps it on the tap (None: the sender is not linked), so
    this reads no `line_links`: a link lending has not heard of yet, or one it still holds
    after the senior relinked, cannot book for the wrong person.
    """
    session = await db.sessions.get(session_id, tx)
    participant = await db.participants.get(participant_id, tx) if participant_id else None
    if participant_id is None or participant is None or participant.erased:
        # Unknown (another environment) or erased: nobody lending could book for, the same
        # answer an unlinked senior gets, as when erasure dropped the link copy.
        return LineBooking(
            session, Refused("not_linked", "The LINE user is not linked.", "LINE 未連携です。")
        )
    actor = f"line:{participant_id}"
    if cancel:
        registration = await db.registrations.get(session_id, participant_id, tx)
        if (
            session is None
            or registration is None
            or (registration.status is not RegistrationStatus.BOOKED)
        ):
            return LineBooking(session, Refused("not_booked", "No booking.", "予約がありません。"))
        await write_cancellation(
            tx, db=db, session=session, registration=registration, actor=actor, now=now
        )
        return LineBooking(session, None)
    if session is not None and session.kind is SessionKind.EXPLANATORY:
        return LineBooking(
            session,
            Refused(
                "explanatory_by_staff",
                "Explanatory sessions are booked by staff.",
                "説明会の予約は事務局が行います。",
            ),
        )
    refusal = await booking_refusal(tx, db=db, session=session, participant=participant, now=now)
    if refusal is not None or session is None:
        return LineBooking(session, refusal)
    await write_booking(
        tx, db=db, session=session, participant_id=participant_id, via="line", actor=actor, now=now
    )
    return LineBooking(session, None)
