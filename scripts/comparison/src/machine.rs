//! The machine a table was measured on: cores, CPU model, date.

/// Cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// The CPU's model name from /proc/cpuinfo, if there is one.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_is_iso_and_the_machine_has_cores() {
        let today = today();
        assert_eq!(today.len(), 10, "{today}");
        assert!(
            jiff::civil::Date::strptime("%Y-%m-%d", &today).is_ok(),
            "{today}"
        );
        assert!(cores() >= 1);
    }
}
