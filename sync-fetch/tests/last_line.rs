//! The last line of a run with a failed fetch, `Fetched 2 of 3 websites …`,
//! is the one `sync_fetch.py` prints, "website" in the singular for one site.

#[test]
fn a_failed_fetchs_last_line_is_the_pythons() {
    fetch_client::hostile::the_last_line_is_the_pythons(
        env!("CARGO_BIN_EXE_sync-fetch"),
        "sync_fetch.py",
        &[&["http"], &["threads", "http"]],
    );
}
