"""Create tablet_lending staff accounts from the command line (the first supervisor included).

    python -m services.tablet_lending.staff add <username> --role supervisor --name 表示名

The password is asked for twice (never an argument, so it stays out of shell history and `ps`).
It reads the same settings as the service (`MONGODB_URI`, `TABLET_LENDING_MONGODB_DATABASE`), so in
the compose deployment: `docker compose exec tablet_lending python -m services.tablet_lending.staff add ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from services.common.auth import StaffAccounts
from services.common.store import MongoStore
from services.tablet_lending.api.deps import STAFF_ROLES
from services.tablet_lending.settings import TabletLendingSettings


async def add_staff(
    *, store: MongoStore, username: str, password: str, display_name: str, roles: tuple[str, ...]
) -> str:
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; choose from {', '.join(STAFF_ROLES)}")
    await store.ensure_indexes(StaffAccounts.indexes())
    account = await StaffAccounts(store).create(
        username=username, password=password, display_name=display_name, roles=roles
    )
    return account.id


async def _main(arguments: argparse.Namespace, password: str) -> int:
    settings = TabletLendingSettings()
    store = MongoStore(
        uri=settings.mongodb_uri, database=settings.mongodb_database, app_name="staff-cli"
    )
    try:
        staff_id = await add_staff(
            store=store,
            username=arguments.username,
            password=password,
            display_name=arguments.name or arguments.username,
            roles=tuple(arguments.role),
        )
    except ValueError as exc:
        print(f"Not created: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    finally:
        await store.close()
    print(f"Created {arguments.username} ({', '.join(arguments.role)}): {staff_id}")  # noqa: T201
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.tablet_lending.staff")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create a staff account")
    add.add_argument("username")
    add.add_argument("--role", action="append", choices=STAFF_ROLES, required=True)
    add.add_argument("--name", help="display name shown to colleagues")
    arguments = parser.parse_args(argv)
    password = getpass.getpass("Password (10+ characters): ")
    if getpass.getpass("Again: ") != password:
        print("The passwords differ; nothing was created.", file=sys.stderr)  # noqa: T201
        return 1
    return asyncio.run(_main(arguments, password))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
