// Checks #[timed]'s arguments: an unknown one is refused under its own name,
// and a `with =` callback of the wrong type is reported on the callback's
// path (the macro spans its call there with quote_spanned!).

use macros_demo::timed;

#[timed(every = 2)]
fn unknown_argument() {}

fn takes_nothing() {}

#[timed(with = takes_nothing)]
fn wrong_callback() {}

fn main() {}
