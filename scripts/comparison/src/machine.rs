//! The machine a table was measured on: cores, CPU model, date, Python.

/// Where and when the figures were measured.
pub struct Machine {
    /// Cores this process may use.
    pub cores: usize,
    /// The CPU's model name from /proc/cpuinfo.
    pub cpu: String,
    /// Today's date (UTC) as `YYYY-MM-DD`.
    pub date: String,
    /// The interpreter's version, or why there is no Python column.
    pub python: String,
}

impl Machine {
    /// This machine today, with `python` said for the Python column.
    pub fn here(python: String) -> Self {
        let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = info.lines().find(|l| l.starts_with("model name"));
        let cpu = model.and_then(|l| l.split_once(':'));
        let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
        Self {
            cores: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            cpu: cpu
                .map_or("unknown CPU", |(_, name)| name.trim())
                .to_string(),
            date: today.date().to_string(),
            python,
        }
    }

    /// `Machine: 2 cores (CPU), 2026-12-02; Python: Python 3.11.7`.
    pub fn line(&self) -> String {
        let Machine {
            cores,
            cpu,
            date,
            python,
        } = self;
        format!("Machine: {cores} cores ({cpu}), {date}; Python: {python}")
    }
}
