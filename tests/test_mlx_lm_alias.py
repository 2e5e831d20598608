"""`from mlx_lm.rlm import rlm_generate, RLMConfig` (the seed's import path) works for a user who
installed this package, and never gets in mlx-lm's way."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from rlm import mlx_lm_alias

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_PTH = ROOT / "python" / mlx_lm_alias.PTH_NAME


def python(code: str, *, path: list[Path] = (), site: Path | None = None,
           no_site: bool = False) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter: `path` entries first on sys.path, then `site` processed
    as a site-packages directory (its .pth files run); `no_site` leaves this environment's
    site-packages (and so mlx-lm) out."""
    prelude = "import sys, site\n"
    prelude += "".join(f"sys.path.insert(0, {str(p)!r})\n" for p in path)
    if site is not None:
        prelude += f"site.addsitedir({str(site)!r})\n"
    flags = ["-S"] if no_site else []
    return subprocess.run([sys.executable, *flags, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def fake_mlx_lm(root: Path, *, own_rlm: bool = False) -> Path:
    """A regular `mlx_lm` package (with __init__.py, as mlx-lm's is), optionally with its own rlm.py."""
    pkg = root / "mlx_lm"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("def load(path):\n    return 'model', 'tokenizer'\n")
    if own_rlm:
        (pkg / "rlm.py").write_text("OWNER = 'mlx-lm'\n")
    return root


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / mlx_lm_alias.PTH_NAME).write_text(SHIPPED_PTH.read_text())
    return site


def test_the_shipped_pth_file_is_the_documented_line() -> None:
    assert SHIPPED_PTH.read_text() == mlx_lm_alias.PTH_LINE
    assert len(mlx_lm_alias.PTH_LINE.splitlines()) == 1 and mlx_lm_alias.PTH_LINE.startswith("import ")


def test_mlx_lm_rlm_serves_this_package_api(tmp_path: Path, site_dir: Path) -> None:
    done = python("""
        from mlx_lm import load
        from mlx_lm.rlm import rlm_generate, RLMConfig, Context
        import rlm, mlx_lm, mlx_lm.rlm
        assert rlm_generate is rlm.rlm_generate and RLMConfig is rlm.RLMConfig
        assert mlx_lm.rlm is sys.modules["mlx_lm.rlm"] and mlx_lm.rlm.__name__ == "mlx_lm.rlm"
        print(mlx_lm.rlm.__file__)
    """, path=[fake_mlx_lm(tmp_path / "libs")], site=site_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("mlx_lm_rlm.py")


def test_the_pth_imports_nothing_of_ours_until_mlx_lm_rlm_is_imported(tmp_path: Path, site_dir: Path) -> None:
    done = python("""
        import mlx_lm
        print(sorted(m for m in sys.modules if m == "rlm" or m.startswith("rlm.")))
    """, path=[fake_mlx_lm(tmp_path / "libs")], site=site_dir)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


def test_mlx_lm_own_rlm_module_wins(tmp_path: Path, site_dir: Path) -> None:
    done = python("import mlx_lm.rlm\nprint(mlx_lm.rlm.OWNER)",
                  path=[fake_mlx_lm(tmp_path / "libs", own_rlm=True)], site=site_dir)
    assert (done.returncode, done.stdout) == (0, "mlx-lm\n"), done.stderr


def test_without_mlx_lm_the_import_fails_as_import_mlx_lm_does(site_dir: Path) -> None:
    done = python("""
        try:
            import mlx_lm.rlm
        except ModuleNotFoundError as e:
            print(e.name)
    """, site=site_dir, no_site=True)
    assert (done.returncode, done.stdout) == (0, "mlx_lm\n"), done.stderr


def test_other_imports_are_untouched(site_dir: Path) -> None:
    done = python("import json, email.mime.text\nimport importlib.util\n"
                  "print(importlib.util.find_spec('mlx_lm_rlm_nothing') is None)", site=site_dir)
    assert (done.returncode, done.stdout) == (0, "True\n"), done.stderr


def test_install_pth_writes_the_line_and_lists_it_once_for_pip_uninstall(tmp_path: Path) -> None:
    record = tmp_path / "mlx_rlm-0.1.0.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("mlx_rlm.pth,sha256=x,22\n")
    for _ in range(2):  # idempotent: scripts/setup.sh runs it on every set-up
        written = mlx_lm_alias.install_pth(str(tmp_path))
    assert Path(written).read_text() == mlx_lm_alias.PTH_LINE
    assert record.read_text() == f"mlx_rlm.pth,sha256=x,22\n{mlx_lm_alias.PTH_NAME},,\n"


def test_this_environment_has_the_alias_installed() -> None:
    # A wheel install puts the .pth here; for the editable one (maturin develop) scripts/setup.sh does.
    site = Path(sysconfig.get_paths()["purelib"])
    installed = site / mlx_lm_alias.PTH_NAME
    assert installed.read_text() == mlx_lm_alias.PTH_LINE
    records = [r.read_text() for r in site.glob("mlx_rlm-*.dist-info/RECORD")]
    assert records and all(mlx_lm_alias.PTH_NAME + "," in r for r in records)
    done = subprocess.run([sys.executable, "-c", "from mlx_lm import load\n"
                           "from mlx_lm.rlm import rlm_generate, RLMConfig\nprint(RLMConfig().max_iterations)"],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "20\n"), done.stderr


def test_python_m_mlx_lm_rlm_runs_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "mlx_lm.rlm", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stdout.split()[0]) == (0, "rlm"), done.stderr
