//! A fast hash for the engine's lookups of short strings: option sets, path unions, the memo.
//!
//! The standard library's SipHash resists an attacker who chooses the keys a table is filled
//! with. The engine's tables are filled from rule files (the keys are the rules' own options),
//! and policy text is only looked up in them, so that resistance buys nothing, while SipHash
//! costs about a hundred instructions for an action name. This hash folds the text eight bytes
//! at a time with a multiply and mixes the result once.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x517c_c1b7_2722_0a95;

/// Hashes `bytes` from `seed`.
pub fn words(seed: u64, bytes: &[u8]) -> u64 {
    let mut hash = seed.wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    hash = (hash.rotate_left(5) ^ u64::from_le_bytes(last) ^ bytes.len() as u64).wrapping_mul(K);
    mix(hash)
}

/// Spreads every input bit over the high and low bits (tables index by both).
fn mix(mut hash: u64) -> u64 {
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}

/// [`words`] as a [`Hasher`], for the standard collections.
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = words(self.0, bytes);
    }

    fn write_u8(&mut self, byte: u8) {
        self.0 = mix((self.0 ^ u64::from(byte)).wrapping_mul(K));
    }

    fn write_usize(&mut self, value: usize) {
        self.0 = mix((self.0 ^ value as u64).wrapping_mul(K));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastSet<T> = HashSet<T, BuildHasherDefault<WordHasher>>;
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_find_what_they_hold_and_nothing_else() {
        let names = [
            "ses:SendEmail",
            "ses:SendRawEmail",
            "ses:SendTemplatedEmail",
            "",
            "a",
            "abcdefgh",
        ];
        let set: FastSet<&str> = names.iter().copied().collect();
        for name in names {
            assert!(set.contains(name));
        }
        for other in ["ses:SendEmai", "ses:SendEmail ", "abcdefgh\0", "b"] {
            assert!(!set.contains(other));
        }
        // Texts that differ only past the first word, or only in length, hash apart.
        assert_ne!(words(0, b"abcdefgh1"), words(0, b"abcdefgh2"));
        assert_ne!(words(0, b"abc"), words(0, b"abc\0"));
    }
}
