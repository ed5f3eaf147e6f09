"""The image installs the platform the way CI does (pinned by constraints.txt) and nothing more.

There is no Docker engine here to build it; these checks read the Dockerfile instead.
"""

from __future__ import annotations

import shlex

from tests.deploy.support import DOCKERFILE, DOCKERIGNORE, SERVICES


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "Dockerfile ends inside a continued line"
    parsed = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        parsed.append((keyword.upper(), arguments.strip()))
    return parsed


def run_commands() -> list[list[str]]:
    """Each simple command of every RUN, split like a shell would."""
    commands: list[list[str]] = []
    for keyword, arguments in instructions():
        if keyword != "RUN":
            continue
        lexer = shlex.shlex(arguments, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        for token in lexer:
            if token in ("&&", "||", ";", "|"):
                commands.append(command)
                command = []
            else:
                command.append(token)
        commands.append(command)
    return [command for command in commands if command]


def test_base_image_is_python_3_11_slim():
    froms = [arguments for keyword, arguments in instructions() if keyword == "FROM"]
    assert froms == ["python:3.11-slim"]


def test_the_project_is_installed_with_constraints_and_without_extras():
    pip_installs = [c for c in run_commands() if c[:2] == ["pip", "install"]]
    project = [c for c in pip_installs if c[-1] == "."]
    assert project == [["pip", "install", "-c", "constraints.txt", "."]]
    for command in pip_installs:
        assert "-c" in command
        assert command[command.index("-c") + 1] == "constraints.txt"
        assert not {"-e", "--editable"} & set(command)
        assert not any("[" in arg for arg in command), f"extras installed: {command}"


def test_dependencies_are_installed_before_the_code_is_copied():
    steps = instructions()
    copies = [
        (i, arguments.split()) for i, (keyword, arguments) in enumerate(steps) if keyword == "COPY"
    ]
    first_code_copy = next(i for i, args in copies if "services/" in args[:-1])
    first_install = next(
        i
        for i, (keyword, arguments) in enumerate(steps)
        if keyword == "RUN" and "pip install" in arguments
    )
    assert first_install < first_code_copy
    manifest_copy = next(i for i, args in copies if "pyproject.toml" in args[:-1])
    assert manifest_copy < first_install
    assert "constraints.txt" in copies[0][1]


def test_only_what_the_image_needs_is_copied():
    for keyword, arguments in instructions():
        if keyword in ("COPY", "ADD"):
            sources = [arg for arg in arguments.split()[:-1] if not arg.startswith("--")]
            assert keyword == "COPY", "ADD fetches and unpacks; COPY is enough"
            for source in sources:
                assert source.rstrip("/") not in (".", ".venv", ".local", ".git", "tests")
                assert source in ("pyproject.toml", "constraints.txt", "services/", "tools/")
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    assert {".venv", ".local", ".git", ".env", "tests"} <= ignored


def test_runs_as_a_non_root_user_and_exposes_the_service_ports():
    steps = instructions()
    users = [arguments for keyword, arguments in steps if keyword == "USER"]
    assert users
    assert users[-1] not in ("root", "0", "0:0")
    exposed = {
        int(port.split("/")[0])
        for keyword, arguments in steps
        if keyword == "EXPOSE"
        for port in arguments.split()
    }
    assert {d.settings_type().model_fields["port"].default for d in SERVICES} <= exposed
    cmd = [arguments for keyword, arguments in steps if keyword == "CMD"]
    assert cmd == ['["python", "-m", "services.line_gateway"]']
