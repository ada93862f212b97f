//! Where the terminal report may break a line: Unicode's line-breaking rules, answered quickly
//! for the plain ASCII text of nearly every message.
//!
//! miette wraps every message and help text with textwrap, which by default asks the Unicode
//! line-breaking algorithm (UAX #14) for the break opportunities of each line; that lookup was
//! most of the time of a report of thousands of findings, wrapped or not. A line made only of
//! ASCII letters, digits, spaces and common punctuation falls in eleven line-break classes,
//! between which the rules of UAX #14 reduce to a small table ([`breaks`]); [`find_words`]
//! answers such lines itself, with textwrap's own quirks (no break after `-`; a line that ends
//! with one loses its last break). Any other line (a `|`, a tab, an escape sequence, non-ASCII
//! text) goes to textwrap's Unicode separator. The tests compare both on generated lines.
//!
//! Wrapping itself is done here too for plain text ([`fill`]): every byte one column wide, the
//! first-fit algorithm, textwrap's hyphen splitting and its cutting of words wider than a line,
//! without textwrap's width tables and allocations; proptests compare it with textwrap's own.

use std::collections::HashMap;

use textwrap::core::Word;
use textwrap::WordSeparator;

/// The widest indentation miette puts before a message or help line (`  help: `).
const INDENT: usize = 8;

/// Whether wrapping `text` at `width` (miette's terminal width) leaves it as it is: every line
/// plain ASCII, not blank, without white space at its end, and short enough with the widest
/// indentation. Such a text is rendered as well without wrapping, which saves textwrap's whole
/// line-fitting pass (the tests compare both renderings).
pub fn fits(text: &str, width: usize) -> bool {
    text.split('\n').all(|line| {
        !line.is_empty()
            && line.is_ascii()
            && !line.ends_with(' ')
            && !line.contains('\t')
            && INDENT + line.len() < width.saturating_sub(2)
    })
}

/// `text` wrapped as miette wrapped it before TypeScript support came (textwrap's first-fit
/// algorithm), for a line indented by `indent` columns at miette's terminal width `width`. The
/// report is rendered without miette's own wrapping, which would take textwrap's optimal-fit
/// algorithm now that a dependency (oxc's diagnostics) turns it on, and move line breaks in every
/// report; a text that [`fits`] is returned as it is. (One difference remains: a line of spaces
/// alone, which textwrap makes of spaces before a word longer than the line, is indented without
/// its trailing spaces.)
///
/// Findings of one rule often share their help word for word: a thread remembers the texts it
/// has wrapped lately, and a text it has seen is not wrapped again.
pub fn fill(text: &str, width: usize, indent: usize) -> String {
    if fits(text, width) {
        return text.to_string();
    }
    let width = width.saturating_sub(2).saturating_sub(indent);
    WRAPPED.with_borrow_mut(|by_width| {
        let wrapped = by_width.entry(width).or_default();
        if let Some(filled) = wrapped.get(text) {
            return filled.clone();
        }
        let filled = fill_plain(text, width).unwrap_or_else(|| {
            let options = textwrap::Options::new(width)
                .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
                .word_separator(SEPARATOR);
            textwrap::fill(text, options)
        });
        if wrapped.len() >= WRAPPED_TEXTS {
            wrapped.clear();
        }
        wrapped.insert(text.into(), filled.clone());
        filled
    })
}

/// How many wrapped texts a thread remembers (then it starts over).
const WRAPPED_TEXTS: usize = 1024;

thread_local! {
    /// Texts wrapped lately, by width, then by text.
    static WRAPPED: std::cell::RefCell<HashMap<usize, HashMap<Box<str>, String>>> = std::cell::RefCell::new(HashMap::new());
}

/// The separator to give miette: Unicode's breaks, computed here for plain ASCII lines.
pub const SEPARATOR: WordSeparator = WordSeparator::Custom(find_words);

/// The line-break classes of UAX #14 that plain lines hold.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    /// Letters and alphabetic symbols.
    Al,
    /// Digits.
    Nu,
    /// A space.
    Sp,
    /// Infix separators `.,:;`.
    Is,
    /// Quotation marks.
    Qu,
    /// A hyphen.
    Hy,
    /// A slash.
    Sy,
    /// Opening brackets.
    Op,
    /// Closing parentheses and square brackets.
    Cp,
    /// A closing brace.
    Cl,
    /// `!` and `?`.
    Ex,
}

/// [`class_of`] for every byte, looked up rather than matched (a report tests every byte of
/// every message).
const CLASSES: [Option<Class>; 256] = {
    let mut table = [None; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = class_of(byte as u8);
        byte += 1;
    }
    table
};

fn class(b: u8) -> Option<Class> {
    CLASSES[usize::from(b)]
}

const fn class_of(b: u8) -> Option<Class> {
    Some(match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'=' | b'@' | b'#' | b'*' | b'&' | b'<' | b'>' | b'`' | b'~' | b'^' => {
            Class::Al
        }
        b'0'..=b'9' => Class::Nu,
        b' ' => Class::Sp,
        b'.' | b',' | b':' | b';' => Class::Is,
        b'"' | b'\'' => Class::Qu,
        b'-' => Class::Hy,
        b'/' => Class::Sy,
        b'(' | b'[' | b'{' => Class::Op,
        b')' | b']' => Class::Cp,
        b'}' => Class::Cl,
        b'!' | b'?' => Class::Ex,
        _ => return None,
    })
}

/// Whether UAX #14 allows a break before `here`, given the class `before` it and the last
/// class before it that is not a space (`None` at the start of the line).
fn breaks(before: Class, last: Option<Class>, here: Class) -> bool {
    use Class::*;
    match (before, here) {
        // No break before a space, nor before these even after spaces (rules 7 and 13).
        (_, Sp | Cl | Cp | Ex | Is | Sy) => false,
        // None after an opening bracket, even with spaces between (rule 14).
        _ if last == Some(Op) => false,
        // A break after spaces (rule 18).
        (Sp, _) => true,
        // None around quotation marks, before a hyphen (rules 19, 21); textwrap drops the
        // breaks after a hyphen itself.
        (Qu, _) | (_, Qu) | (_, Hy) | (Hy, _) => false,
        // Letters, digits and what joins them (rules 23, 25, 28, 29, 30).
        (Al | Nu, Al | Nu | Op) | (Is | Sy, Nu) | (Is, Al) | (Cp, Al | Nu) => false,
        _ => true,
    }
}

fn find_words(line: &str) -> Box<dyn Iterator<Item = Word<'_>> + '_> {
    let Some(ends) = word_ends(line) else {
        return WordSeparator::UnicodeBreakProperties.find_words(line);
    };
    let mut start = 0;
    Box::new(ends.into_iter().map(move |end| {
        let word = Word::from(&line[start..end]);
        start = end;
        word
    }))
}

/// Where the words of a plain line end (each word with the spaces after it), as textwrap's
/// Unicode separator finds them; `None` for a line that is not plain.
fn word_ends(line: &str) -> Option<Vec<usize>> {
    let bytes = line.as_bytes();
    let mut breaks_at: Vec<usize> = Vec::with_capacity(line.len() / 4 + 1);
    let mut before = match bytes.first() {
        Some(&b) => class(b)?,
        None => Class::Al,
    };
    let mut last = None;
    for (at, &b) in bytes.iter().enumerate().skip(1) {
        let here = class(b)?;
        if before != Class::Sp {
            last = Some(before);
        }
        if breaks(before, last, here) {
            breaks_at.push(at);
        }
        before = here;
    }
    // textwrap drops the break at the end of a line after `-` and then the last break it has
    // left, which is the last break within the line: so the words of such a line are.
    if line.ends_with('-') {
        breaks_at.pop();
    }
    breaks_at.push(line.len());
    breaks_at.retain(|&end| end > 0);
    Some(breaks_at)
}

/// A piece of a plain line as textwrap's first-fit wrapping sees it: `line[start..end]`, of
/// which the last `space` bytes are the spaces after the word (every byte one column wide).
#[derive(Clone, Copy)]
struct Piece {
    start: usize,
    end: usize,
    space: usize,
}

impl Piece {
    fn width(&self) -> usize {
        self.end - self.start - self.space
    }
}

/// `line` wrapped at `width` exactly as `textwrap::fill` wraps it with first-fit, this module's
/// separator, its default hyphen splitting and no indentation; `None` for a line that is not
/// plain. Every byte of a plain line is one column, which spares textwrap's width tables and
/// its allocations (it was a fifth of a 2,000-file report's instructions).
fn fill_plain_line(line: &str, width: usize, out: &mut String) -> Option<()> {
    if line.len() < width {
        out.push_str(line.trim_end_matches(' '));
        return Some(());
    }
    let bytes = line.as_bytes();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut start = 0;
    for end in word_ends(line)? {
        let word_end = start + line[start..end].trim_end_matches(' ').len();
        // Hyphen splitting: after each `-` between two letters or digits, a piece of its own
        // (without spaces or a penalty, since the hyphen is there already).
        let mut from = start;
        for at in start + 1..word_end.saturating_sub(1) {
            if bytes[at] == b'-' && bytes[at - 1].is_ascii_alphanumeric() && bytes[at + 1].is_ascii_alphanumeric() {
                pieces.push(Piece {
                    start: from,
                    end: at + 1,
                    space: 0,
                });
                from = at + 1;
            }
        }
        pieces.push(Piece {
            start: from,
            end,
            space: end - word_end,
        });
        start = end;
    }
    // Words wider than the line are cut into pieces of the line's width (the last keeps the
    // spaces).
    let cut = width.max(1);
    let mut fitted: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let mut from = piece.start;
        while piece.width() > width && piece.end - piece.space - from > cut {
            fitted.push(Piece {
                start: from,
                end: from + cut,
                space: 0,
            });
            from += cut;
        }
        fitted.push(Piece { start: from, ..piece });
    }
    // First fit: a piece starts a new line when it does not fit after what the line holds.
    let mut first = 0;
    let mut used = 0;
    let mut lines = 0;
    for (at, piece) in fitted.iter().enumerate() {
        if used + piece.width() > width && at > first {
            push_line(line, &fitted[first..at], &mut lines, out);
            first = at;
            used = 0;
        }
        used += piece.end - piece.start;
    }
    push_line(line, &fitted[first..], &mut lines, out);
    Some(())
}

/// One wrapped line of pieces, without the spaces after its last one.
fn push_line(line: &str, pieces: &[Piece], lines: &mut usize, out: &mut String) {
    if *lines > 0 {
        out.push('\n');
    }
    *lines += 1;
    if let (Some(first), Some(last)) = (pieces.first(), pieces.last()) {
        out.push_str(&line[first.start..last.end - last.space]);
    }
}

/// `text` wrapped as [`fill_plain_line`] wraps each line; `None` if a line is not plain.
fn fill_plain(text: &str, width: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len() + text.len() / width.max(1) + 1);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        fill_plain_line(line, width, &mut out)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(separator: &WordSeparator, line: &str) -> Vec<(String, String, String)> {
        separator
            .find_words(line)
            .map(|w| (w.word.to_string(), w.whitespace.to_string(), w.penalty.to_string()))
            .collect()
    }

    #[test]
    fn messages_break_where_unicode_breaks_them() {
        for line in [
            "statement \"AllowSending\": Resource \"arn:aws:sns:eu-west-3:111111111111:topic/mail-events_2\" is not the ARN",
            "  leading spaces, trailing spaces  ",
            "a/b a/1 a// /a 1/a a/-b a/'b' a/_x",
            "",
            "email.example-service.amazonaws.com; e.g. <ACCOUNT_ID> & *",
            "what (not plain)? tab\there",
            " -",
            "/a-",
            "x - y",
        ] {
            assert_eq!(words(&SEPARATOR, line), words(&WordSeparator::UnicodeBreakProperties, line), "{line:?}");
        }
    }

    proptest! {
        #[test]
        fn plain_lines_break_where_unicode_breaks_them(line in "[a-zA-Z0-9 .,:;\"'_=@#*&<>`~^()\\[\\]{}!?/-]{0,80}") {
            prop_assert_eq!(words(&SEPARATOR, &line), words(&WordSeparator::UnicodeBreakProperties, &line));
        }

        #[test]
        fn punctuation_breaks_where_unicode_breaks_it(line in "[a1 .:\"'`()\\[\\]{}!?/-]{0,40}") {
            prop_assert_eq!(words(&SEPARATOR, &line), words(&WordSeparator::UnicodeBreakProperties, &line));
        }

        #[test]
        fn other_lines_are_left_to_unicode(line in "[a-z 0-9/(){}!?|$%+\\t-]{0,30}") {
            prop_assert_eq!(words(&SEPARATOR, &line), words(&WordSeparator::UnicodeBreakProperties, &line));
        }
    }
}

#[cfg(test)]
mod filling {
    use super::*;
    use proptest::prelude::*;

    /// Lines joined with indentation as miette joins a text it does not wrap.
    fn indented(text: &str, first: &str, rest: &str) -> String {
        let mut out = String::new();
        super::super::plain::indent(&mut out, text, first, rest);
        out
    }

    fn textwrap_fill(text: &str, width: usize) -> String {
        let options = textwrap::Options::new(width)
            .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
            .word_separator(SEPARATOR);
        textwrap::fill(text, options)
    }

    #[test]
    fn plain_text_fills_as_textwrap_fills_it() {
        for text in [
            "",
            " ",
            "a",
            "statement \"AllowCognito\": the user pool arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Abc is in another account",
            "  leading spaces and a very-long-hyphenated-word-that-goes-on and on  ",
            "--double--hyphens-- and x-y-z 1-2 a- -b",
            "line one\n\nline three is longer than the width of the line, much longer\n",
            "abcdefghijklmnopqrstuvwxyz0123456789 abcdefghij",
        ] {
            for width in 0..40 {
                assert_eq!(fill_plain(text, width).as_deref(), Some(&*textwrap_fill(text, width)), "{text:?} at {width}");
            }
        }
        assert_eq!(fill_plain("a\tb", 1), None);
        assert_eq!(fill_plain("caf\u{e9} au lait", 3), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig { max_global_rejects: 1 << 20, ..ProptestConfig::default() })]

        /// Plain text is wrapped here exactly as textwrap wraps it.
        #[test]
        fn plain_text_fills_as_textwrap(
            text in "( {0,3}[a-zA-Z0-9.,:;\"'_=@#*&<>`~^()\\[\\]{}!?/-]{0,24}){0,12}( {0,2}\n( {0,3}[a-z0-9:/.-]{0,30}){0,6}){0,2} {0,2}",
            width in 0usize..60,
        ) {
            prop_assert_eq!(fill_plain(&text, width), Some(textwrap_fill(&text, width)));
        }

        /// Wrapping without indentation and indenting after gives what textwrap gives with the
        /// indentation, for miette's message and help indents.
        #[test]
        fn filling_then_indenting_is_filling_indented(
            text in "[a-zA-Z0-9.,:\"'()/-]{1,14}( {1,2}[a-zA-Z0-9.,:\"'()/é-]{1,14}){0,20}(\n {0,8}[a-z\"]{1,9}( [a-z0-9.,/)\"-]{1,16}){0,8}){0,3}",
            width in 30usize..120,
        ) {
            for (first, rest) in [("  × ", "  │ "), ("  help: ", "        ")] {
                let filled = fill(&text, width, rest.chars().count());
                // A line of spaces alone (spaces before a word too long for the line) is where
                // the two differ: miette trims its indentation, textwrap keeps it.
                prop_assume!(!filled.lines().any(|line| line.trim().is_empty()));
                let ours = indented(&filled, first, rest);
                let options = textwrap::Options::new(width - 2)
                    .initial_indent(first)
                    .subsequent_indent(rest)
                    .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
                    .word_separator(SEPARATOR);
                prop_assert_eq!(ours, textwrap::fill(&text, options));
            }
        }
    }
}

#[cfg(test)]
mod fitting {
    use super::*;
    use miette::{GraphicalReportHandler, GraphicalTheme, MietteDiagnostic, Report};
    use proptest::prelude::*;

    fn render(handler: &GraphicalReportHandler, message: &str, help: &str) -> String {
        let diagnostic = MietteDiagnostic::new(message).with_code("SES000(test)").with_help(help);
        let mut out = String::new();
        handler
            .render_report(&mut out, Report::new(diagnostic).as_ref())
            .unwrap();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { max_global_rejects: 1 << 20, ..ProptestConfig::default() })]

        /// A message and help that `fits` render the same with and without wrapping.
        #[test]
        fn texts_that_fit_render_alike_unwrapped(
            message in "[a-zA-Z0-9.,:\"'()/-]{1,10}( {1,2}[a-zA-Z0-9.,:\"'()/-]{1,10}){0,8}",
            help in "[a-z.:'/-]{1,10}( [a-z0-9.,()-]{1,10}){0,4}(\n {0,16}[a-z(\"]{1,9}( [a-z0-9.,/)\"-]{1,10}){0,4}){0,3}",
            width in 60usize..120,
        ) {
            prop_assume!(fits(&message, width) && fits(&help, width));
            for theme in [GraphicalTheme::unicode_nocolor(), GraphicalTheme::unicode()] {
                let wrapping = GraphicalReportHandler::new_themed(theme)
                    .with_width(width)
                    .with_links(false)
                    .with_word_separator(SEPARATOR);
                let unwrapped = wrapping.clone().with_wrap_lines(false);
                prop_assert_eq!(render(&wrapping, &message, &help), render(&unwrapped, &message, &help));
            }
        }
    }
}
