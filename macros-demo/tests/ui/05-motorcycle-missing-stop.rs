// Checks the article's class decorator: an impl block without `stop` fails
// to compile with "Class 'Motorcycle' must have a 'stop' method." under
// `impl Motorcycle`. The demo prints this file's .stderr at run time.

use macros_demo::enforce_interface;

struct Motorcycle {
    model: String,
}

#[enforce_interface(start, stop)]
impl Motorcycle {
    fn start(&self) {
        println!("Starting the {}.", self.model);
    }
}

fn main() {}
