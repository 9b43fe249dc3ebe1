//! The test keys in `services/api/tests/fixtures` (see its README), shared by
//! the API's tests (`tests/api`) and the binary's end-to-end tests
//! (`tests/e2e`), which include this file with `#[path]`.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

/// The fixture directory. From either crate's manifest directory
/// (`services/api` or `services/server`), `../api/tests/fixtures` is the same place.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/tests/fixtures");

/// The path of the fixture file `name`.
pub fn fixture_path(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

/// The bytes of the fixture file `name`.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).expect("fixture")
}

/// Base64url without padding (to forge tokens by hand).
pub fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}
