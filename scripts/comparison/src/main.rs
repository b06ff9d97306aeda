//! Not written yet.

fn main() {
    println!("not written yet");
}
