// Checks that #[enforce_interface(start, stop)] accepts a type whose impl
// block has both methods, returns the block unchanged, and the type runs.

use macros_demo::enforce_interface;

struct Car {
    model: String,
}

#[enforce_interface(start, stop)]
impl Car {
    fn new(model: &str) -> Self {
        Car { model: model.to_string() }
    }

    fn start(&self) -> String {
        format!("Starting the {}.", self.model)
    }

    fn stop(&mut self) -> String {
        format!("Stopping the {}.", self.model)
    }
}

fn main() {
    let mut car = Car::new("Model T");
    assert_eq!(car.start(), "Starting the Model T.");
    assert_eq!(car.stop(), "Stopping the Model T.");
}
