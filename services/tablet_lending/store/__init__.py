"""tablet_lending's repositories, the only code here that talks to MongoDB."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.store import CollectionIndexes, MongoStore
from services.tablet_lending.store.allocations import AllocationRepository
from services.tablet_lending.store.cohorts import CohortRepository
from services.tablet_lending.store.devices import DeviceRepository
from services.tablet_lending.store.history import HistoryRepository
from services.tablet_lending.store.imports import ImportRepository
from services.tablet_lending.store.links import LineLinkRepository, LinkCodeRepository
from services.tablet_lending.store.loans import LoanRepository
from services.tablet_lending.store.lotteries import LotteryRepository
from services.tablet_lending.store.participants import ParticipantRepository
from services.tablet_lending.store.reminders import ReminderRepository
from services.tablet_lending.store.sessions import RegistrationRepository, SessionRepository

__all__ = ["CohortRepository", "LendingDb"]


@dataclass(frozen=True)
class LendingDb:
    """Every repository of the service over one store (and its transactions)."""

    store: MongoStore
    cohorts: CohortRepository
    allocations: AllocationRepository
    participants: ParticipantRepository
    lotteries: LotteryRepository
    devices: DeviceRepository
    loans: LoanRepository
    sessions: SessionRepository
    registrations: RegistrationRepository
    reminders: ReminderRepository
    links: LineLinkRepository
    link_codes: LinkCodeRepository
    history: HistoryRepository
    imports: ImportRepository

    @classmethod
    def on(cls, store: MongoStore) -> LendingDb:
        return cls(
            store=store,
            cohorts=CohortRepository(store),
            allocations=AllocationRepository(store),
            participants=ParticipantRepository(store),
            lotteries=LotteryRepository(store),
            devices=DeviceRepository(store),
            loans=LoanRepository(store),
            sessions=SessionRepository(store),
            registrations=RegistrationRepository(store),
            reminders=ReminderRepository(store),
            links=LineLinkRepository(store),
            link_codes=LinkCodeRepository(store),
            history=HistoryRepository(store),
            imports=ImportRepository(store),
        )

    @staticmethod
    def indexes() -> list[CollectionIndexes]:
        return [
            CohortRepository.indexes(),
            AllocationRepository.indexes(),
            ParticipantRepository.indexes(),
            LotteryRepository.indexes(),
            DeviceRepository.indexes(),
            LoanRepository.indexes(),
            SessionRepository.indexes(),
            RegistrationRepository.indexes(),
            ReminderRepository.indexes(),
            LineLinkRepository.indexes(),
            LinkCodeRepository.indexes(),
            HistoryRepository.indexes(),
            ImportRepository.indexes(),
        ]
