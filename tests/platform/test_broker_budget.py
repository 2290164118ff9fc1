"""A test environment stays within RabbitMQ's file handle budget (docs/testing.md, "When RabbitMQ is
wedged"): the broker reserves handles for every quorum queue, within a limit it takes from its `ulimit -n`
at start (927 of 1,024 on the CI machine). A run holds several environments at once (two xdist workers,
a package's own, the isolation test's two nested runs); at the limit the broker accepts no new connection
and tests hang until their time-out, with nothing in any log. The environments' peak was 671 of 927 with
29 quorum queues each: a change that declares more queues should make room first."""

from __future__ import annotations

from tests.support.environment import RunEnvironment, new_run_id, rabbitmqctl

MOST_QUORUM_QUEUES = 30


async def test_a_test_environment_declares_no_more_quorum_queues_than_the_budget_allows():
    environment = RunEnvironment(run_id=new_run_id())
    await environment.create()
    try:
        listed = await rabbitmqctl("list_queues", "-p", environment.vhost, "name", "type")
    finally:
        await environment.destroy()
    quorum = sorted(line.split()[0] for line in listed.splitlines() if line.split()[-1:] == ["quorum"])
    assert 0 < len(quorum) <= MOST_QUORUM_QUEUES, f"{len(quorum)} quorum queues: {quorum}"
