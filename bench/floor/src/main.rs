//! Benchmark floor: the least any event-based YAML tool must do on a bundle.
//! Reads stdin to a String and pulls every yaml-rust2 parser event until
//! StreamEnd. Prints nothing; exits 1 on a parse error.
use std::io::Read;

use yaml_rust2::parser::{Event, Parser};

fn main() {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("floor: reading stdin: {e}");
        std::process::exit(1);
    }
    let mut parser = Parser::new_from_str(&input);
    let mut events: u64 = 0;
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok(_) => events += 1,
            Err(e) => {
                eprintln!("floor: parse error: {e}");
                std::process::exit(1);
            }
        }
    }
    // Keep the count observable so the loop cannot be optimized away.
    std::hint::black_box(events);
}
