//! The compiler's own words for the types the demo cannot build, taken from
//! the committed trybuild snapshots (`tests/ui/*.stderr`). `cargo test`
//! checks that rustc still prints exactly this, so the text the demo shows
//! at run time is the text the tests verify.

/// `#[enforce_interface(start, stop)]` on a `Motorcycle` without `stop`.
pub const MOTORCYCLE: &str = include_str!("../tests/ui/05-motorcycle-missing-stop.stderr");

/// The idiomatic version: `impl Vehicle for Motorcycle` without `stop` (E0046).
pub const VEHICLE_TRAIT: &str = include_str!("../tests/ui/06-vehicle-trait-missing-stop.stderr");

/// The first line of a snapshot: the error itself.
pub fn headline(snapshot: &str) -> &str {
    snapshot.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshots_hold_the_expected_errors() {
        assert_eq!(
            headline(MOTORCYCLE),
            "error: Class 'Motorcycle' must have a 'stop' method."
        );
        assert!(
            headline(VEHICLE_TRAIT).starts_with("error[E0046]"),
            "{VEHICLE_TRAIT}"
        );
    }
}
