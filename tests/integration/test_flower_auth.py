"""Flower behind its login, as the stack starts it: 401 without the login, 200 with it, its
API usable with the login only (no task applied by an anonymous caller), /healthcheck open,
and the password on no command line and in no log."""

from collections.abc import Iterator

import pytest
import requests

from config.names import TASK_PLAN_CAMPAIGN, TASK_RELEASE_DUE_BATCHES
from tests.integration.conftest import Stack, own_stack, wait_until

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/2"
PAGES = ("/", "/tasks", "/api/tasks", "/api/workers", "/api/task/types")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(tmp_path_factory.mktemp("stack-flower"), REDIS_URL) as running:
        yield running


def _get(stack: Stack, path: str, auth: tuple[str, str] | None = None) -> requests.Response:
    return requests.get(f"{stack.flower_url}{path}", auth=auth, timeout=15)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_the_api_ask_for_the_login(stack: Stack, path: str) -> None:
    user, _ = stack.flower_auth
    assert _get(stack, path).status_code == 401
    assert _get(stack, path, (user, "not-the-password")).status_code == 401
    assert _get(stack, path, stack.flower_auth).status_code == 200


def test_the_healthcheck_stays_open(stack: Stack) -> None:
    answer = _get(stack, "/healthcheck")
    assert (answer.status_code, answer.text) == (200, "OK")


def test_the_api_reads_tasks_with_the_login(stack: Stack) -> None:
    def seen() -> bool:
        tasks = _get(stack, "/api/tasks", stack.flower_auth).json()
        return any(task["name"] == TASK_RELEASE_DUE_BATCHES for task in tasks.values())

    assert wait_until(seen, 30), stack.logs()


def test_an_anonymous_caller_cannot_apply_a_task(stack: Stack) -> None:
    url = f"{stack.flower_url}/api/task/async-apply/{TASK_PLAN_CAMPAIGN}"
    refused = requests.post(url, json={"args": [1]}, timeout=15)
    assert refused.status_code == 401
    wrong = requests.post(url, json={"args": [1]}, auth=("bulksms", "guess"), timeout=15)
    assert wrong.status_code == 401
    listed = _get(stack, f"/api/tasks?taskname={TASK_PLAN_CAMPAIGN}", stack.flower_auth)
    assert listed.json() == {}  # no worker ever received one


def test_the_password_is_on_no_command_line_and_in_no_log(stack: Stack) -> None:
    _, password = stack.flower_auth
    for process in stack.processes:
        assert password not in " ".join(map(str, process.args))
        with open(f"/proc/{process.pid}/cmdline", "rb") as cmdline:
            assert password.encode() not in cmdline.read()
    assert password not in stack.logs()
