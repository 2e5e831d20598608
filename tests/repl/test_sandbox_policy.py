"""The sandbox's policy and reports as data: what is granted, what is refused, how it is said, and
the macOS profile text (generated and checked here; it runs only on a Mac, which CI does not have)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from rlm.errors import SandboxError
from rlm.repl import sandbox
from rlm.repl.sandbox import SandboxPolicy, build_policy, describe, strict_refusal
from rlm.repl.sandbox_macos import darwin_profile, wrapper


def test_policy_grants_python_the_package_and_the_context(tmp_path: Path) -> None:
    ctx = tmp_path / "ctx.txt"
    ctx.write_text("x")
    policy = build_policy(ctx, None, "/tmp/rlm-repl-x")
    package = os.path.dirname(sandbox.__file__).rsplit(os.sep, 1)[0]
    for wanted in (str(ctx), sys.base_prefix, package, "/proc/self"):
        assert wanted in policy.read_only
    assert policy.read_write == ["/tmp/rlm-repl-x", "/dev/null"]


def test_policy_never_grants_home_or_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "lib").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    policy = build_policy(None, None, "/tmp/t", search_path=[str(home), str(tmp_path), "/", str(home / "lib")])
    assert str(home) not in policy.read_only and str(tmp_path) not in policy.read_only
    assert "/" not in policy.read_only
    assert str(home / "lib") in policy.read_only  # below home is fine: e.g. ~/.venv
    assert policy.skipped == [str(home), str(tmp_path), "/"]


def test_paths_that_do_not_exist_are_left_out(tmp_path: Path) -> None:
    policy = build_policy(None, None, "/tmp/t", search_path=[str(tmp_path / "python311.zip")])
    assert not any("python311.zip" in p for p in policy.read_only)


def test_strict_accepts_a_full_report_only() -> None:
    assert strict_refusal({"abi": 7, "missing_required": []}) is None
    why = strict_refusal({"abi": 3, "missing_required": ["tcp", "signals"]})
    assert why is not None and "missing tcp, signals" in why and "--sandbox auto" in why
    threads = strict_refusal({"abi": 7, "missing_required": [], "unrestricted_threads": 2})
    assert threads is not None and "2 thread(s)" in threads


def test_describe_names_what_holds_and_what_does_not() -> None:
    full = {"mode": "auto", "mechanism": "landlock+seccomp", "abi": 7, "active": ["files", "tcp", "sockets"],
            "missing_required": []}
    assert describe(full) == "sandbox: landlock ABI 7 + seccomp: files, tcp, sockets"
    weak = {**full, "mechanism": "landlock", "abi": 3, "active": ["files", "truncate"],
            "missing_required": ["tcp", "signals"]}
    assert describe(weak) == "sandbox: landlock ABI 3: files, truncate; NOT protected: tcp, signals"
    assert "full rights" in describe({"mode": "auto", "mechanism": "none"})
    assert describe({"mode": "off"}) == "sandbox off: model code runs with your full rights"
    mac = {"mode": "auto", "mechanism": "sandbox-exec", "active": ["files"], "verified": False}
    assert describe(mac) == "sandbox: sandbox-exec: files (unverified)"


def test_worker_env_points_every_temp_variable_at_the_private_dir() -> None:
    env = sandbox.worker_env({"PATH": "/bin", "TMPDIR": "/tmp"}, "/tmp/rlm-repl-x")
    assert {env[k] for k in ("TMPDIR", "TEMP", "TMP")} == {"/tmp/rlm-repl-x"} and env["PATH"] == "/bin"


# -- macOS: the generated profile --------------------------------------------------------------------


def profile(tmp_path: Path) -> str:
    ctx = tmp_path / "ctx.txt"
    ctx.write_text("x")
    lib = tmp_path / "lib"
    lib.mkdir()
    return darwin_profile(SandboxPolicy(read_only=[str(lib), str(ctx)], read_write=[str(tmp_path / "t"), "/dev/null"]),
                          is_dir=lambda p: p.endswith(("lib", "/t")))


def test_profile_denies_by_default_and_allows_no_network(tmp_path: Path) -> None:
    text = profile(tmp_path)
    rules = [line for line in text.splitlines() if not line.lstrip().startswith(";;")]
    assert rules[:2] == ["(version 1)", "(deny default)"]
    assert not any("network" in line for line in rules)


def test_profile_reads_beneath_directories_and_exact_files(tmp_path: Path) -> None:
    text = profile(tmp_path)
    real = os.path.realpath(tmp_path)
    assert f'(subpath "{real}/lib")' in text
    assert f'(literal "{real}/ctx.txt")' in text
    write_rule = text.split("(allow file-read* file-write*")[1].split("\n(")[0]
    assert f'(subpath "{real}/t")' in write_rule and "ctx.txt" not in write_rule


def test_profile_keeps_signals_and_process_info_to_itself(tmp_path: Path) -> None:
    text = profile(tmp_path)
    assert "(allow signal (target same-sandbox))" in text
    assert "(allow process-info* (target self))" in text


def test_profile_quotes_paths() -> None:
    text = darwin_profile(SandboxPolicy(read_only=['/odd "dir"\\x'], read_write=[]), is_dir=lambda p: True)
    assert '(subpath "/odd \\"dir\\"\\\\x")' in text


def test_strict_on_a_mac_without_sandbox_exec_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rlm.repl.sandbox_macos.SANDBOX_EXEC", "/nonexistent/sandbox-exec")
    monkeypatch.setattr("shutil.which", lambda name: None)
    policy = SandboxPolicy(read_only=[], read_write=[])
    with pytest.raises(SandboxError, match="sandbox-exec is missing"):
        wrapper("strict", policy)
    prefix, report = wrapper("auto", policy)
    assert prefix == () and report["mechanism"] == "none"
