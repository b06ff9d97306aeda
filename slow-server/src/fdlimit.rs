//! The open-file limit (`RLIMIT_NOFILE`): every socket is a file descriptor,
//! so a server holding 1,000 connections needs a soft limit above 1,000.
//!
//! The soft limit is what the kernel enforces; a process may raise it up to
//! the hard limit without privileges, and lower it freely.

use nix::sys::resource::{Resource, getrlimit, rlim_t, setrlimit};
use std::io;

/// A process's open-file limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdLimit {
    /// The limit the kernel enforces now.
    pub soft: u64,
    /// The ceiling the soft limit may be raised to.
    pub hard: u64,
}

/// Reads this process's open-file limits.
pub fn get() -> io::Result<FdLimit> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    #[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, not on every Unix
    Ok(FdLimit {
        soft: soft as u64,
        hard: hard as u64,
    })
}

/// Sets the soft limit to `soft` (at most the hard limit), keeping the hard limit.
pub fn set_soft(soft: u64) -> io::Result<FdLimit> {
    let now = get()?;
    #[allow(clippy::unnecessary_cast)] // see `get`
    setrlimit(
        Resource::RLIMIT_NOFILE,
        soft.min(now.hard) as rlim_t,
        now.hard as rlim_t,
    )?;
    get()
}

/// Raises the soft limit to the hard limit; returns the limits before and after.
///
/// The server calls this when it starts, so that it never runs out of
/// descriptors before the machine does, whatever the shell's `ulimit -n`.
pub fn raise_to_hard() -> io::Result<(FdLimit, FdLimit)> {
    let before = get()?;
    if before.soft >= before.hard {
        return Ok((before, before));
    }
    Ok((before, set_soft(before.hard)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_reaches_the_hard_limit() {
        let (before, after) = raise_to_hard().unwrap();
        assert!(after.soft >= before.soft);
        assert_eq!(after.soft, after.hard);
        assert_eq!(get().unwrap(), after);
    }
}
