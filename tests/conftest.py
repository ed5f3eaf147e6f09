"""Fixtures shared by the whole suite live in tests/fixtures; this file registers them."""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from tests.fixtures.mail import LocalMail, local_mail, traversable_temp_dir
from tests.fixtures.stack import RUNNING_STACK, infra, model_server, simulator, stack

__all__ = ["infra", "model_server", "simulator", "stack"]


@pytest.fixture(scope="session")
def mail_servers() -> Iterator[LocalMail]:
    """The devstack's local mail servers (aiosmtpd and Dovecot) on free ports, for the session."""
    with traversable_temp_dir() as root, local_mail(root) as servers:
        yield servers


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    """Attach the tail of every process log to a failed test that used the stack."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed:
        running = item.session.config.stash.get(RUNNING_STACK, None)
        if running is not None:
            for process in running.processes():
                report.sections.append((f"log: {process.name}", process.log_tail(15)))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cluster",
        type=int,
        default=1,
        choices=(1, 3),
        help="run the stack fixtures in the devstack's cluster mode (3: three Kafka nodes, a "
        "three-member replica set, two instances of every service); the failover tests "
        "(tests/cluster) run only then",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fuzzing runs last: the data it creates at random (cohorts, accounts, tickets) then meets
    no other test. The failover tests need the cluster (`--cluster 3`, `make test-cluster`) and
    are left out of every other run."""
    if config.getoption("cluster") == 1:
        cluster_only = [item for item in items if item.get_closest_marker("cluster")]
        if cluster_only:
            config.hook.pytest_deselected(items=cluster_only)
            items[:] = [item for item in items if not item.get_closest_marker("cluster")]
    items.sort(key=lambda item: item.get_closest_marker("fuzz") is not None)
