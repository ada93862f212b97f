//! A per-thread memo of regular-expression answers, so that a value tested by the same pattern
//! again (by another check of the statement, or in the next statement or file) is not searched
//! again.
//!
//! A policy's values repeat: the principal, the send actions, the identity ARN and the account
//! come back in every statement of a repository, and one value is tested against the same
//! `skip` pattern by several checks. A regular-expression search on a short value costs a few
//! hundred instructions; a lookup here, a few dozen. The memo is a fixed table of slots, each
//! holding one (pattern, text, answer) with the text copied in full and compared byte for byte,
//! so an answer is never taken for another text; a collision only replaces the slot. Texts
//! longer than a slot holds are not memoized. Nothing is allocated after the table itself.

use std::cell::RefCell;

use super::hash;

/// The longest text a slot holds: an ARN with a long resource name fits.
const TEXT: usize = 104;
/// The most slots a table grows to (a power of two): about 470 KB a thread.
const SLOTS: usize = 4096;
/// The slots a table starts with: a run of one file asks a few hundred questions, and a table
/// of full size cost it a hundred page faults (a tenth of its time) to fill.
const FIRST_SLOTS: usize = 256;

#[derive(Clone, Copy)]
struct Slot {
    /// What was asked: a pattern's id and the question; 0 for an empty slot (ids start at 1).
    key: u32,
    len: u8,
    answer: u64,
    text: [u8; TEXT],
}

const EMPTY: Slot = Slot {
    key: 0,
    len: 0,
    answer: 0,
    text: [0; TEXT],
};

/// Pattern ids are below this bit; it marks the question "where is the first group?".
const GROUP: u32 = 1 << 31;

/// A thread's slots, and how many answers were put in them since they were made: once there
/// have been as many as there are slots, the table grows (fourfold, emptied) up to [`SLOTS`].
struct Table {
    slots: Vec<Slot>,
    stored: usize,
}

thread_local! {
    static TABLE: RefCell<Table> = const {
        RefCell::new(Table {
            slots: Vec::new(),
            stored: 0,
        })
    };
}

/// The answer of `search` for pattern `pattern` (a non-zero id, unique per compiled pattern) on
/// `text`, from the memo when it holds it.
pub fn answer(pattern: u32, text: &str, search: impl FnOnce() -> bool) -> bool {
    remember(pattern, false, text, || u64::from(search())) != 0
}

/// The byte range of the first group of pattern `pattern` in `text`, as `group` finds it (a
/// capture search costs several times a match), from the memo when it holds it.
pub fn group(pattern: u32, text: &str, group: impl FnOnce() -> Option<(usize, usize)>) -> Option<(usize, usize)> {
    let found = remember(pattern, true, text, || match group() {
        // Offsets within a slot's text fit in 32 bits; 0 stands for no group.
        Some((start, end)) => ((start as u64 + 1) << 32) | end as u64,
        None => 0,
    });
    (found != 0).then(|| (((found >> 32) - 1) as usize, (found & u64::from(u32::MAX)) as usize))
}

/// `compute`'s answer to a question (`group` or not) about pattern `pattern` on `text`.
fn remember(pattern: u32, group: bool, text: &str, compute: impl FnOnce() -> u64) -> u64 {
    if text.len() > TEXT || pattern == 0 || pattern >= GROUP {
        return compute();
    }
    let key = if group { pattern | GROUP } else { pattern };
    let hash = hash_of(key, text.as_bytes());
    // The computation runs regex code only, never this memo: the borrow is held across it.
    TABLE.with_borrow_mut(|table| {
        if table.stored >= table.slots.len() && table.slots.len() < SLOTS {
            let slots = (table.slots.len() * 4).clamp(FIRST_SLOTS, SLOTS);
            table.slots = vec![EMPTY; slots];
            table.stored = 0;
        }
        let at = hash & (table.slots.len() - 1);
        let slot = &mut table.slots[at];
        if slot.key == key && usize::from(slot.len) == text.len() && &slot.text[..text.len()] == text.as_bytes() {
            return slot.answer;
        }
        let answer = compute();
        table.stored += 1;
        let slot = &mut table.slots[at];
        slot.key = key;
        slot.len = text.len() as u8;
        slot.answer = answer;
        slot.text[..text.len()].copy_from_slice(text.as_bytes());
        answer
    })
}

/// The hash that picks a pattern and text's slot (its low bits, as many as the table needs).
fn hash_of(pattern: u32, text: &[u8]) -> usize {
    (hash::words(u64::from(pattern), text) >> 52) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_from_the_search_then_from_the_memo() {
        let mut searches = 0;
        let mut ask = |text: &str, truth: bool| {
            answer(7, text, || {
                searches += 1;
                truth
            })
        };
        assert!(ask("arn:aws:ses:us-east-1:111111111111:identity/example.com", true));
        assert!(ask("arn:aws:ses:us-east-1:111111111111:identity/example.com", false));
        assert!(!ask("arn:aws:ses:us-east-1:111111111111:identity/example.org", false));
        assert_eq!(searches, 2);
    }

    #[test]
    fn groups_are_remembered_apart_from_matches() {
        let text = "arn:aws:cognito-idp:eu-west-3:111111111111:userpool/x";
        assert_eq!(group(11, text, || Some((20, 29))), Some((20, 29)));
        assert_eq!(group(11, text, || None), Some((20, 29)));
        assert!(!answer(11, text, || false));
        assert_eq!(group(12, text, || None), None);
        assert_eq!(group(12, text, || Some((0, 3))), None);
        assert_eq!(group(13, text, || Some((0, 0))), Some((0, 0)));
    }

    #[test]
    fn the_table_grows_and_keeps_answering() {
        let texts: Vec<String> = (0..3 * SLOTS).map(|n| format!("value-{n}")).collect();
        for text in &texts {
            assert!(answer(21, text, || true));
        }
        TABLE.with_borrow(|table| assert_eq!(table.slots.len(), SLOTS));
        // A text asked again is answered from the memo or searched again: the same answer.
        for text in texts.iter().rev().take(64) {
            assert!(answer(21, text, || true));
        }
    }

    #[test]
    fn texts_that_collide_or_are_long_are_searched() {
        // Another pattern, a text that differs only in length, and a text longer than a slot.
        assert!(answer(8, "abc", || true));
        assert!(!answer(9, "abc", || false));
        assert!(!answer(8, "abc\0", || false));
        let long = "x".repeat(TEXT + 1);
        assert!(answer(8, &long, || true));
        assert!(!answer(8, &long, || false));
    }
}
