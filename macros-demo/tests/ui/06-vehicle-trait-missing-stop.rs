// Checks the idiomatic answer to the class decorator: a trait with required
// methods. Implementing it without `stop` is error E0046, under the impl.

trait Vehicle {
    fn start(&self);
    fn stop(&self);
}

struct Motorcycle {
    model: String,
}

impl Vehicle for Motorcycle {
    fn start(&self) {
        println!("Starting the {}.", self.model);
    }
}

fn main() {}
