//! The compile-time behaviour of the macros, checked with trybuild: the
//! pass cases must compile and run; the fail cases must fail with exactly
//! the compiler output committed beside them (`tests/ui/NN-what.stderr`).
//!
//! Compiler messages change between Rust versions. The snapshots were made
//! with rustc 1.95.0; after a toolchain change, review and refresh them with
//! `TRYBUILD=overwrite cargo test -p macros-demo --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/01-timed-forms.rs");
    t.compile_fail("tests/ui/02-timed-on-struct.rs");
    t.compile_fail("tests/ui/03-timed-bad-arguments.rs");
    t.pass("tests/ui/04-car-has-start-and-stop.rs");
    t.compile_fail("tests/ui/05-motorcycle-missing-stop.rs");
    t.compile_fail("tests/ui/06-vehicle-trait-missing-stop.rs");
    t.compile_fail("tests/ui/07-enforce-interface-misplaced.rs");
    t.pass("tests/ui/08-describe-structs.rs");
    t.compile_fail("tests/ui/09-describe-on-enum.rs");
    t.compile_fail("tests/ui/10-timed-without-its-use.rs");
    t.compile_fail("tests/ui/11-timed-on-impl-block.rs");
    t.compile_fail("tests/ui/12-timed-keeps-must-use.rs");
}
