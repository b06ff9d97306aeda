//! `--fault SITE=KIND`: the ways one site can be made to fail on purpose,
//! and the checks that a run's faults make sense.

use crate::sites::{index, late_ms, name};
use slow_server::MAX_DELAY_MS;
use std::fmt;
use std::str::FromStr;

/// A way to make one site fail on purpose (`--fault B=status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The site's URL points at a port nobody listens on.
    Refused,
    /// The server answers 503.
    Status,
    /// The server answers 200 with a body that is not JSON.
    Invalid,
    /// The server answers a second after the client's timeout.
    Timeout,
}

impl Fault {
    /// Every fault, in the order the help lists them.
    pub const ALL: [Fault; 4] = [
        Fault::Refused,
        Fault::Status,
        Fault::Invalid,
        Fault::Timeout,
    ];

    /// The KIND in `--fault SITE=KIND`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Refused => "refused",
            Fault::Status => "status",
            Fault::Invalid => "invalid",
            Fault::Timeout => "timeout",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(kind: &str) -> Result<Fault, String> {
        Fault::ALL
            .into_iter()
            .find(|fault| fault.name() == kind)
            .ok_or_else(|| {
                format!("unknown fault {kind:?}: use refused, status, invalid or timeout")
            })
    }
}

/// `B=status`, `a1=timeout` (a site name is not case-sensitive): the value
/// parser of `--fault`. Whether the run has that site is [`check_faults`]'s job.
pub fn parse_fault(spec: &str) -> Result<(String, Fault), String> {
    let (site, kind) = spec
        .split_once('=')
        .ok_or_else(|| "expected SITE=KIND, like B=status".to_string())?;
    let fault = kind.parse()?;
    let site = site.to_ascii_uppercase();
    if index(&site).is_none() {
        return Err(format!(
            "{site:?} is not a site name (A to Z, then A1 to Z1, A2 …)"
        ));
    }
    Ok((site, fault))
}

/// Checks the faults against the run: each names one of its `count` sites,
/// no site is named twice (one site fails one way), and a `timeout` fault
/// fits under the server's [`MAX_DELAY_MS`].
pub fn check_faults(
    faults: &[(String, Fault)],
    count: usize,
    timeout_ms: u64,
) -> Result<(), String> {
    for (n, (site, fault)) in faults.iter().enumerate() {
        if let Some((_, first)) = faults[..n].iter().find(|(s, _)| s == site) {
            return Err(format!(
                "--fault {site}={first} and --fault {site}={fault}: a site can fail only one way, give one --fault per site"
            ));
        }
        if index(site).is_none_or(|i| i >= count) {
            return Err(format!(
                "--fault {site}={fault}: this run has no website {site} (its sites are {} to {})",
                name(0),
                name(count.saturating_sub(1))
            ));
        }
        if *fault == Fault::Timeout && late_ms(timeout_ms) > MAX_DELAY_MS {
            return Err(format!(
                "--fault {site}=timeout needs --timeout-ms of at most {} (the server waits at most {MAX_DELAY_MS} ms)",
                MAX_DELAY_MS - 1000
            ));
        }
    }
    Ok(())
}

/// The fault asked for `site`, if any ([`check_faults`] refuses a site named twice).
pub fn fault_for(faults: &[(String, Fault)], site: &str) -> Option<Fault> {
    faults.iter().find(|(s, _)| s == site).map(|&(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse() {
        assert_eq!(parse_fault("b=status"), Ok(("B".into(), Fault::Status)));
        assert_eq!(parse_fault("A1=timeout"), Ok(("A1".into(), Fault::Timeout)));
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse(), Ok(fault));
        }
        for bad in ["B", "B=slow", "1=status", "=status", "AA=status"] {
            assert!(parse_fault(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn faults_are_checked_against_the_run() {
        let faults = |site: &str, fault| vec![(site.to_string(), fault)];
        assert_eq!(check_faults(&faults("C", Fault::Status), 3, 1000), Ok(()));
        let err = check_faults(&faults("D", Fault::Status), 3, 1000).unwrap_err();
        assert!(
            err.contains("no website D") && err.contains("A to C"),
            "{err}"
        );
        assert_eq!(
            check_faults(&faults("A", Fault::Timeout), 3, 59_000),
            Ok(())
        );
        let err = check_faults(&faults("A", Fault::Timeout), 3, 59_001).unwrap_err();
        assert!(err.contains("at most 59000"), "{err}");
        let twice = [
            ("B".to_string(), Fault::Status),
            ("B".to_string(), Fault::Invalid),
        ];
        let err = check_faults(&twice, 3, 1000).unwrap_err();
        assert!(err.contains("B=status and --fault B=invalid"), "{err}");
        let two_sites = [
            ("A".to_string(), Fault::Status),
            ("B".to_string(), Fault::Status),
        ];
        assert_eq!(check_faults(&two_sites, 3, 1000), Ok(()));
    }
}
