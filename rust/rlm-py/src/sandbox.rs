//! `rlm._core.restrict_self`, `landlock_abi`, `set_non_dumpable`: the worker's sandbox
//! (rlm-core `sandbox`), with its report as a plain dict so it travels to the driver as JSON.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use rlm_core::sandbox::{self, Policy};

use crate::errors::SandboxError;

/// Restrict this thread and everything it starts to the policy (irreversible); report it.
#[pyfunction]
#[pyo3(signature = (read_only, read_write, *, deny_sockets = true))]
pub fn restrict_self<'py>(
    py: Python<'py>,
    read_only: Vec<PathBuf>,
    read_write: Vec<PathBuf>,
    deny_sockets: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let policy = Policy {
        read_only,
        read_write,
        deny_sockets,
    };
    // No GIL release: Landlock binds the calling OS thread, which must be this one anyway.
    let report =
        sandbox::restrict_self(&policy).map_err(|e| SandboxError::new_err(e.to_string()))?;
    let names =
        |list: Vec<sandbox::Protection>| list.into_iter().map(|p| p.name()).collect::<Vec<_>>();
    let dict = PyDict::new(py);
    dict.set_item("abi", report.abi)?;
    dict.set_item("active", names(report.active.clone()))?;
    dict.set_item("not_enforced", names(report.missing()))?;
    dict.set_item("no_new_privs", report.no_new_privs)?;
    dict.set_item("capabilities_dropped", report.capabilities_dropped)?;
    dict.set_item("sockets_denied", report.sockets_denied)?;
    let skipped: Vec<String> = report.skipped.into_iter().map(|(_, why)| why).collect();
    dict.set_item("skipped", skipped)?;
    Ok(dict)
}

/// The Landlock ABI version the running kernel offers (0: none, or not Linux).
#[pyfunction]
pub fn landlock_abi() -> u32 {
    sandbox::landlock_abi()
}

/// Mark this process non-dumpable (Linux); False where there is no such switch.
#[pyfunction]
pub fn set_non_dumpable() -> PyResult<bool> {
    sandbox::set_non_dumpable().map_err(|e| SandboxError::new_err(e.to_string()))
}
