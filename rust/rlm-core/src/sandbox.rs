//! The REPL worker's sandbox on Linux: Landlock for files, TCP, signals and abstract sockets;
//! capabilities dropped; the driver marked non-dumpable.
//!
//! The worker calls [`restrict_self`] once at start-up, before any model-written code runs. From
//! then on the calling thread (the worker has no other thread yet) and every thread or process it
//! creates may only:
//! - read (and execute) beneath the `read_only` paths: the Python installation, the package, the
//!   context file, what the standard library needs;
//! - read and write beneath the `read_write` paths: a private temporary directory, `/dev/null`;
//! - not connect or bind TCP sockets (Landlock ABI 4), not signal or open abstract unix sockets of
//!   processes outside the sandbox (ABI 6); UDP (ABI 10) and pathname unix sockets (ABI 9) too
//!   where the kernel offers them.
//!
//! On top of Landlock, with `deny_sockets`, a seccomp filter makes `socket(2)` (and `io_uring`,
//! which can open sockets without it) fail with `EACCES`: no UDP (a DNS query is enough to carry
//! data out), no pathname unix sockets (an ssh-agent, a Docker daemon), no raw or netlink sockets,
//! on every kernel since 3.5, where Landlock covers only TCP before ABI 9 and 10. `socketpair(2)`
//! stays open: sockets between the worker's own processes reach nobody else.
//!
//! Landlock is best effort by design: an older kernel enforces what it knows, and [`Report`] says
//! which protections are active, so the caller can refuse to run (`--sandbox strict`) or say so.
//! Descriptors opened before the call (the protocol pipes, the output capture file, the mapped
//! context) keep working: Landlock checks opens, not reads and writes on open files.
//!
//! A worker running as root keeps root's capabilities unless they are dropped: with
//! `CAP_MKNOD` it could make a disk's device node in its writable temp dir and read the raw disk,
//! with `CAP_SYS_MODULE` load a kernel module. So the capabilities go too (a no-op for a normal
//! user, who has none).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What the sandbox allows; everything else on the file system is denied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Read and execute beneath these (files or directories).
    pub read_only: Vec<PathBuf>,
    /// Read, write, create and remove beneath these (no device nodes, no execution).
    pub read_write: Vec<PathBuf>,
    /// Deny creating sockets (seccomp; `socketpair` excepted).
    pub deny_sockets: bool,
}

/// One protection the sandbox can apply, and the Landlock ABI that brings it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protection {
    /// Opening, listing, creating or removing files outside the policy's paths (ABI 1).
    Files,
    /// `truncate(2)` of files outside the read-write paths (ABI 3; before it any file can be cut).
    Truncate,
    /// TCP `connect` and `bind` (ABI 4).
    Tcp,
    /// `ioctl` on device files opened in the sandbox (ABI 5).
    DeviceIoctl,
    /// Signals to processes outside the sandbox, e.g. `kill(getppid(), 9)` (ABI 6).
    Signals,
    /// Connecting to abstract unix sockets created outside the sandbox (ABI 6).
    AbstractUnixSockets,
    /// Connecting to pathname unix sockets outside the policy's paths (ABI 9).
    UnixSockets,
    /// UDP `bind`, `connect` and `sendto` (ABI 10).
    Udp,
}

impl Protection {
    /// Every protection, weakest ABI first.
    pub const ALL: [Protection; 8] = [
        Protection::Files,
        Protection::Truncate,
        Protection::Tcp,
        Protection::DeviceIoctl,
        Protection::Signals,
        Protection::AbstractUnixSockets,
        Protection::UnixSockets,
        Protection::Udp,
    ];

    /// The Landlock ABI version that brings this protection.
    pub fn since_abi(self) -> u32 {
        match self {
            Protection::Files => 1,
            Protection::Truncate => 3,
            Protection::Tcp => 4,
            Protection::DeviceIoctl => 5,
            Protection::Signals | Protection::AbstractUnixSockets => 6,
            Protection::UnixSockets => 9,
            Protection::Udp => 10,
        }
    }

    /// The name used in reports and on the command line ("files", "tcp", ...).
    pub fn name(self) -> &'static str {
        match self {
            Protection::Files => "files",
            Protection::Truncate => "truncate",
            Protection::Tcp => "tcp",
            Protection::DeviceIoctl => "device-ioctl",
            Protection::Signals => "signals",
            Protection::AbstractUnixSockets => "abstract-unix-sockets",
            Protection::UnixSockets => "unix-sockets",
            Protection::Udp => "udp",
        }
    }

    /// The protections a kernel with Landlock ABI `abi` enforces (0: none).
    pub fn enforced_at(abi: u32) -> Vec<Protection> {
        Protection::ALL
            .into_iter()
            .filter(|p| p.since_abi() <= abi)
            .collect()
    }
}

impl fmt::Display for Protection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`restrict_self`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The Landlock ABI version in force (0: Landlock unavailable, nothing enforced).
    pub abi: u32,
    /// Protections now enforced on the calling thread and its descendants.
    pub active: Vec<Protection>,
    /// `PR_SET_NO_NEW_PRIVS` is set: set-uid programs and file capabilities give nothing.
    pub no_new_privs: bool,
    /// The thread held capabilities (it ran as root) and they were dropped.
    pub capabilities_dropped: bool,
    /// `socket(2)` now fails with EACCES (the seccomp filter of `Policy::deny_sockets`).
    pub sockets_denied: bool,
    /// Policy paths that could not be added (they do not exist, or cannot be opened), with why.
    pub skipped: Vec<(PathBuf, String)>,
}

impl Report {
    /// Protections this kernel does not enforce.
    pub fn missing(&self) -> Vec<Protection> {
        Protection::ALL
            .into_iter()
            .filter(|p| !self.active.contains(p))
            .collect()
    }
}

/// Why the sandbox could not be applied (a missing Landlock is not an error: see [`Report`]).
#[derive(Debug)]
pub enum SandboxError {
    /// The Landlock crate refused the ruleset or the kernel refused to enforce it.
    Landlock(String),
    /// A system call around it failed (prctl, capset).
    Os(&'static str, io::Error),
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxError::Landlock(msg) => write!(f, "landlock: {msg}"),
            SandboxError::Os(call, e) => write!(f, "{call}: {e}"),
        }
    }
}

impl std::error::Error for SandboxError {}

/// The Landlock ABI version the running kernel offers (0: none, or not Linux).
///
/// ```
/// let abi = rlm_core::sandbox::landlock_abi();
/// assert!(abi < 1000);
/// ```
pub fn landlock_abi() -> u32 {
    imp::landlock_abi()
}

/// Restrict the calling thread, and all it starts from now on, to `policy`; report what holds.
///
/// Irreversible. Call it before the process starts other threads: on kernels before Landlock ABI
/// 8, threads that already exist are not restricted.
///
/// ```no_run
/// use rlm_core::sandbox::{restrict_self, Policy};
/// let report = restrict_self(&Policy {
///     read_only: vec!["/usr".into()],
///     read_write: vec!["/tmp/rlm-worker".into()],
///     deny_sockets: true,
/// })?;
/// println!("landlock ABI {}: {:?}", report.abi, report.active);
/// # Ok::<(), rlm_core::sandbox::SandboxError>(())
/// ```
pub fn restrict_self(policy: &Policy) -> Result<Report, SandboxError> {
    imp::restrict_self(policy)
}

/// Mark this process non-dumpable: same-user processes can no longer read its
/// `/proc/PID/environ`, `/proc/PID/mem` or attach a debugger, and it leaves no core dump.
/// Returns false where the platform has no such switch (not Linux).
///
/// ```
/// // The driver calls this before it starts the worker.
/// # if false {
/// rlm_core::sandbox::set_non_dumpable()?;
/// # }
/// # Ok::<(), rlm_core::sandbox::SandboxError>(())
/// ```
pub fn set_non_dumpable() -> Result<bool, SandboxError> {
    imp::set_non_dumpable()
}

fn describe_path(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(target_os = "linux")]
mod imp {
    use super::{describe_path, Policy, Protection, Report, SandboxError};
    use landlock::{
        Access, AccessFs, AccessNet, BitFlags, LandlockStatus, PathBeneath, PathFd, Ruleset,
        RulesetAttr, RulesetCreatedAttr, Scope, ABI,
    };
    use std::io;

    // The newest ABI whose rights are requested; older kernels get what they know (best effort).
    const TARGET: ABI = ABI::V10;

    pub fn landlock_abi() -> u32 {
        // landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) returns the version.
        let v = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                std::ptr::null::<u8>(),
                0usize,
                1u32,
            )
        };
        u32::try_from(v).unwrap_or(0)
    }

    fn read_only_access() -> BitFlags<AccessFs> {
        AccessFs::from_read(TARGET)
    }

    fn read_write_access() -> BitFlags<AccessFs> {
        // Device nodes would let a root worker open raw disks in its temp dir; execution of what
        // the code wrote buys it nothing it cannot do in Python, so neither is granted.
        AccessFs::from_all(TARGET) & !(AccessFs::MakeChar | AccessFs::MakeBlock | AccessFs::Execute)
    }

    fn landlock_err(e: impl std::fmt::Display) -> SandboxError {
        SandboxError::Landlock(e.to_string())
    }

    pub fn restrict_self(policy: &Policy) -> Result<Report, SandboxError> {
        let mut skipped = Vec::new();
        let mut rules = Vec::new();
        for (paths, access) in [
            (&policy.read_only, read_only_access()),
            (&policy.read_write, read_write_access()),
        ] {
            for path in paths {
                match PathFd::new(path) {
                    Ok(fd) => {
                        // A rule on a file may carry only rights that make sense for files.
                        let is_dir = std::fs::metadata(path).map(|m| m.is_dir()).unwrap_or(true);
                        let rights = if is_dir {
                            access
                        } else {
                            access & AccessFs::from_file(TARGET)
                        };
                        rules.push(PathBeneath::new(fd, rights));
                    }
                    Err(e) => skipped.push((path.clone(), format!("{}: {e}", describe_path(path)))),
                }
            }
        }
        let status = Ruleset::default()
            .handle_access(AccessFs::from_all(TARGET))
            .map_err(landlock_err)?
            .handle_access(AccessNet::from_all(TARGET))
            .map_err(landlock_err)?
            .scope(Scope::from_all(TARGET))
            .map_err(landlock_err)?
            .create()
            .map_err(landlock_err)?
            .add_rules(rules.into_iter().map(Ok::<_, landlock::RulesetError>))
            .map_err(landlock_err)?
            .restrict_self()
            .map_err(landlock_err)?;
        let abi = match status.landlock {
            LandlockStatus::Available { effective_abi, .. } => effective_abi as u32,
            _ => 0,
        };
        let enforced = status.ruleset != landlock::RulesetStatus::NotEnforced;
        let sockets_denied = policy.deny_sockets && deny_sockets()?;
        let capabilities_dropped = drop_capabilities()?;
        Ok(Report {
            abi: if enforced { abi } else { 0 },
            active: if enforced {
                Protection::enforced_at(abi)
            } else {
                Vec::new()
            },
            no_new_privs: status.no_new_privs,
            capabilities_dropped,
            sockets_denied,
            skipped,
        })
    }

    // The filter's architecture check: a foreign-ABI system call (i386's `int 0x80` on x86_64)
    // has other numbers, so it is killed rather than let through.
    #[cfg(target_arch = "x86_64")]
    const AUDIT_ARCH: u32 = 0xC000_003E; // AUDIT_ARCH_X86_64
    #[cfg(target_arch = "aarch64")]
    const AUDIT_ARCH: u32 = 0xC000_00B7; // AUDIT_ARCH_AARCH64

    /// Install the seccomp filter that denies `socket` and `io_uring_setup`; false on an
    /// architecture it has no numbers for.
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn deny_sockets() -> Result<bool, SandboxError> {
        const LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
        const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
        const JGE_K: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
        const RET_K: u16 = 0x06; // BPF_RET | BPF_K
        const ALLOW: u32 = 0x7fff_0000; // SECCOMP_RET_ALLOW
        const KILL_PROCESS: u32 = 0x8000_0000; // SECCOMP_RET_KILL_PROCESS
        const DENY: u32 = libc::SECCOMP_RET_ERRNO | libc::EACCES as u32;
        // x86_64's x32 ABI sets this bit in the number; aarch64 numbers never reach it.
        const X32_BIT: u32 = 0x4000_0000;
        let op = |code, jt, jf, k| libc::sock_filter { code, jt, jf, k };
        let program = [
            op(LD_W_ABS, 0, 0, 4), // seccomp_data.arch
            op(JEQ_K, 1, 0, AUDIT_ARCH),
            op(RET_K, 0, 0, KILL_PROCESS),
            op(LD_W_ABS, 0, 0, 0), // seccomp_data.nr
            op(JGE_K, 0, 1, X32_BIT),
            op(RET_K, 0, 0, DENY),
            op(JEQ_K, 0, 1, libc::SYS_socket as u32),
            op(RET_K, 0, 0, DENY),
            op(JEQ_K, 0, 1, libc::SYS_io_uring_setup as u32),
            op(RET_K, 0, 0, DENY),
            op(RET_K, 0, 0, ALLOW),
        ];
        let fprog = libc::sock_fprog {
            len: program.len() as u16,
            filter: program.as_ptr() as *mut _,
        };
        // Without capabilities a filter needs no_new_privs; Landlock set it, but not if the
        // kernel has no Landlock.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            return Err(SandboxError::Os(
                "prctl(PR_SET_NO_NEW_PRIVS)",
                io::Error::last_os_error(),
            ));
        }
        let fprog_ptr = &fprog as *const libc::sock_fprog;
        if unsafe {
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                fprog_ptr,
                0,
                0,
            )
        } != 0
        {
            return Err(SandboxError::Os(
                "prctl(PR_SET_SECCOMP)",
                io::Error::last_os_error(),
            ));
        }
        Ok(true)
    }

    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    fn deny_sockets() -> Result<bool, SandboxError> {
        Ok(false)
    }

    #[repr(C)]
    struct CapHeader {
        version: u32,
        pid: i32,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct CapData {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }

    const CAP_VERSION_3: u32 = 0x2008_0522; // _LINUX_CAPABILITY_VERSION_3: two CapData words

    /// Drop every capability of the calling thread (bounding, ambient, effective, permitted,
    /// inheritable). Returns whether it held any.
    fn drop_capabilities() -> Result<bool, SandboxError> {
        let mut header = CapHeader {
            version: CAP_VERSION_3,
            pid: 0,
        };
        let mut data = [CapData::default(); 2];
        if unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) } != 0 {
            return Err(SandboxError::Os("capget", io::Error::last_os_error()));
        }
        let held = data
            .iter()
            .any(|d| d.effective | d.permitted | d.inheritable != 0);
        if !held {
            return Ok(false);
        }
        // The bounding set first (it needs CAP_SETPCAP, which goes last): an execve can then never
        // bring a capability back. Stops at the first number the kernel does not know.
        for cap in 0..64 {
            if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) } != 0 {
                break;
            }
        }
        unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_CLEAR_ALL,
                0,
                0,
                0,
            )
        };
        let zero = [CapData::default(); 2];
        let mut header = CapHeader {
            version: CAP_VERSION_3,
            pid: 0,
        };
        if unsafe { libc::syscall(libc::SYS_capset, &mut header, zero.as_ptr()) } != 0 {
            return Err(SandboxError::Os("capset", io::Error::last_os_error()));
        }
        Ok(true)
    }

    pub fn set_non_dumpable() -> Result<bool, SandboxError> {
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(SandboxError::Os(
                "prctl(PR_SET_DUMPABLE)",
                io::Error::last_os_error(),
            ));
        }
        Ok(true)
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::{describe_path, Policy, Report, SandboxError};

    pub fn landlock_abi() -> u32 {
        0
    }

    /// No Landlock here: nothing is enforced, and the report says so (macOS starts the worker
    /// under sandbox-exec instead; see python/rlm/repl/sandbox.py).
    pub fn restrict_self(policy: &Policy) -> Result<Report, SandboxError> {
        let skipped = policy
            .read_only
            .iter()
            .chain(&policy.read_write)
            .filter(|p| !p.exists())
            .map(|p| (p.clone(), format!("{}: does not exist", describe_path(p))))
            .collect();
        Ok(Report {
            skipped,
            ..Report::default()
        })
    }

    pub fn set_non_dumpable() -> Result<bool, SandboxError> {
        Ok(false)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    //! Each test restricts a fresh thread: before Landlock ABI 8 (and without asking for
    //! all-threads, which we do not) a restriction binds only the calling thread and what it
    //! starts, so the test harness and the other tests stay free.

    use super::*;
    use std::fs;
    use std::io::{ErrorKind, Read};
    use std::net::{TcpListener, TcpStream};
    use std::process::Command;

    fn in_sandbox<T: Send + 'static>(
        policy: Policy,
        f: impl FnOnce(Report) -> T + Send + 'static,
    ) -> T {
        std::thread::spawn(move || {
            let report = restrict_self(&policy).expect("restrict_self");
            f(report)
        })
        .join()
        .expect("sandboxed thread panicked")
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rlm-sandbox-test-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("ro")).unwrap();
        fs::create_dir_all(dir.join("rw")).unwrap();
        fs::create_dir_all(dir.join("secret")).unwrap();
        fs::write(dir.join("ro/data.txt"), "readable").unwrap();
        fs::write(dir.join("secret/key"), "sk-not-for-you").unwrap();
        dir
    }

    fn policy(dir: &Path) -> Policy {
        Policy {
            read_only: vec![dir.join("ro")],
            read_write: vec![dir.join("rw")],
            deny_sockets: false,
        }
    }

    fn need(abi: u32) -> bool {
        let have = landlock_abi();
        if have < abi {
            eprintln!("skipped: this kernel offers Landlock ABI {have}, the test needs {abi}");
        }
        have >= abi
    }

    #[test]
    fn enforced_protections_follow_the_abi() {
        assert!(Protection::enforced_at(0).is_empty());
        assert_eq!(Protection::enforced_at(1), vec![Protection::Files]);
        let six = Protection::enforced_at(6);
        assert!(six.contains(&Protection::Tcp) && six.contains(&Protection::Signals));
        assert!(!six.contains(&Protection::Udp));
        assert_eq!(Protection::enforced_at(10).len(), Protection::ALL.len());
    }

    #[test]
    fn report_matches_the_kernel() {
        let dir = scratch("report");
        let abi = landlock_abi();
        let report = in_sandbox(policy(&dir), |r| r);
        assert_eq!(report.abi, abi.min(10));
        assert_eq!(report.active, Protection::enforced_at(abi.min(10)));
        assert!(report.no_new_privs);
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    }

    #[test]
    fn missing_paths_are_skipped_and_named() {
        let dir = scratch("missing");
        let mut p = policy(&dir);
        p.read_only.push(dir.join("does-not-exist"));
        let report = in_sandbox(p, |r| r);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].0, dir.join("does-not-exist"));
    }

    #[test]
    fn reads_only_beneath_the_policy() {
        if !need(1) {
            return;
        }
        let dir = scratch("read");
        let d = dir.clone();
        let (ok, denied) = in_sandbox(policy(&dir), move |_| {
            (
                fs::read_to_string(d.join("ro/data.txt")),
                fs::read_to_string(d.join("secret/key")),
            )
        });
        assert_eq!(ok.unwrap(), "readable");
        assert_eq!(denied.unwrap_err().kind(), ErrorKind::PermissionDenied);
    }

    #[test]
    fn writes_only_beneath_read_write_paths() {
        if !need(1) {
            return;
        }
        let dir = scratch("write");
        let d = dir.clone();
        let (rw, ro, outside) = in_sandbox(policy(&dir), move |_| {
            (
                fs::write(d.join("rw/new.txt"), "x"),
                fs::write(d.join("ro/new.txt"), "x"),
                fs::write(d.join("elsewhere.txt"), "x"),
            )
        });
        rw.unwrap();
        assert_eq!(ro.unwrap_err().kind(), ErrorKind::PermissionDenied);
        assert_eq!(outside.unwrap_err().kind(), ErrorKind::PermissionDenied);
        assert!(!dir.join("elsewhere.txt").exists());
    }

    #[test]
    fn no_device_nodes_in_the_writable_dir() {
        if !need(1) {
            return;
        }
        let dir = scratch("mknod");
        let node = dir.join("rw/disk");
        let n = node.clone();
        let err = in_sandbox(policy(&dir), move |_| {
            let c = std::ffi::CString::new(n.as_os_str().as_encoded_bytes()).unwrap();
            // /dev/null's numbers (1, 3): harmless to try, denied all the same.
            let rc = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o600, libc::makedev(1, 3)) };
            (rc, io::Error::last_os_error().raw_os_error())
        });
        assert_eq!(err.0, -1);
        assert!(
            matches!(err.1, Some(libc::EACCES) | Some(libc::EPERM)),
            "{err:?}"
        );
        assert!(!node.exists());
    }

    #[test]
    fn tcp_connect_and_bind_are_denied() {
        if !need(4) {
            return;
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let dir = scratch("tcp");
        let (connect, bind) = in_sandbox(policy(&dir), move |_| {
            (
                TcpStream::connect(addr).map(|_| ()),
                TcpListener::bind("127.0.0.1:0").map(|_| ()),
            )
        });
        assert_eq!(connect.unwrap_err().kind(), ErrorKind::PermissionDenied);
        assert_eq!(bind.unwrap_err().kind(), ErrorKind::PermissionDenied);
    }

    #[test]
    fn signals_to_outside_processes_are_denied() {
        if !need(6) {
            return;
        }
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id() as i32;
        let dir = scratch("signal");
        let (rc, errno) = in_sandbox(policy(&dir), move |_| {
            let rc = unsafe { libc::kill(pid, libc::SIGKILL) };
            (rc, io::Error::last_os_error().raw_os_error())
        });
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!((rc, errno), (-1, Some(libc::EPERM)));
        assert!(still_running);
    }

    #[test]
    fn abstract_unix_sockets_outside_are_out_of_reach() {
        if !need(6) {
            return;
        }
        use std::os::linux::net::SocketAddrExt;
        use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
        let name = format!("rlm-sandbox-test-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixListener::bind_addr(&addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let dir = scratch("abstract");
        // Without the seccomp filter (deny_sockets: false): this is Landlock's own scope rule.
        let result = in_sandbox(policy(&dir), move |_| {
            UnixStream::connect_addr(&addr).map(|_| ())
        });
        assert_eq!(result.unwrap_err().raw_os_error(), Some(libc::EPERM));
        assert_eq!(listener.accept().unwrap_err().kind(), ErrorKind::WouldBlock); // nobody came
                                                                                  // The control: from outside the sandbox the same socket answers.
        UnixStream::connect_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap())
            .unwrap();
    }

    #[test]
    fn other_processes_proc_files_are_closed() {
        if !need(1) {
            return;
        }
        let parent = std::process::id();
        let dir = scratch("proc");
        let result = in_sandbox(policy(&dir), move |_| {
            let mut s = String::new();
            fs::File::open(format!("/proc/{parent}/environ"))
                .and_then(|mut f| f.read_to_string(&mut s))
        });
        assert_eq!(result.unwrap_err().kind(), ErrorKind::PermissionDenied);
    }

    #[test]
    fn deny_sockets_stops_udp_and_unix_sockets_but_not_socketpair() {
        let dir = scratch("sockets");
        let mut p = policy(&dir);
        p.deny_sockets = true;
        let (report, udp, unix, pair) = in_sandbox(p, |r| {
            let udp = std::net::UdpSocket::bind("127.0.0.1:0").map(|_| ());
            let unix = std::os::unix::net::UnixDatagram::unbound().map(|_| ());
            let pair = std::os::unix::net::UnixStream::pair().map(|_| ());
            (r, udp, unix, pair)
        });
        assert!(report.sockets_denied);
        assert_eq!(udp.unwrap_err().raw_os_error(), Some(libc::EACCES));
        assert_eq!(unix.unwrap_err().raw_os_error(), Some(libc::EACCES));
        pair.unwrap();
        // The thread that did not restrict itself is untouched.
        std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    }

    #[test]
    fn capabilities_are_gone_after_restricting() {
        let had_any = unsafe { libc::geteuid() } == 0;
        let dir = scratch("caps");
        let (report, words) = in_sandbox(policy(&dir), |r| {
            let mut header = [0x2008_0522u32, 0]; // version 3, this thread
            let mut data = [0u32; 6]; // two (effective, permitted, inheritable) triples
            let rc =
                unsafe { libc::syscall(libc::SYS_capget, header.as_mut_ptr(), data.as_mut_ptr()) };
            assert_eq!(rc, 0);
            (r, data)
        });
        assert!(
            words.iter().all(|w| *w == 0),
            "capabilities left: {words:?}"
        );
        assert_eq!(report.capabilities_dropped, had_any);
    }
}
