//! What the compiler says to the README's "use a plain `u64`" edits of
//! `shared`, checked with trybuild: each fail case must fail with exactly the
//! message committed beside it (`tests/ui/NN-what.stderr`); the pass case
//! compiles and runs, and its own assertions check what it prints.
//!
//! The snapshots were made with rustc 1.95.0; after a toolchain change,
//! review and refresh them with
//! `TRYBUILD=overwrite cargo test -p threads-demo --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/01-plain-u64-behind-a-reference.rs");
    t.compile_fail("tests/ui/02-thread-borrows-a-local.rs");
    t.pass("tests/ui/03-move-copies-the-u64.rs");
    t.compile_fail("tests/ui/04-rc-is-not-send.rs");
}
