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
pub fn fill(text: &str, width: usize, indent: usize) -> String {
    if fits(text, width) {
        return text.to_string();
    }
    let options = textwrap::Options::new(width.saturating_sub(2).saturating_sub(indent))
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .word_separator(SEPARATOR);
    textwrap::fill(text, options)
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

fn class(b: u8) -> Option<Class> {
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
    if !line.bytes().all(|b| class(b).is_some()) {
        return WordSeparator::UnicodeBreakProperties.find_words(line);
    }
    let class_at = |at: usize| class(line.as_bytes()[at]).unwrap_or(Class::Al);
    let mut breaks_at: Vec<usize> = Vec::with_capacity(line.len() / 4 + 1);
    let mut last = None;
    for at in 1..line.len() {
        let before = class_at(at - 1);
        if before != Class::Sp {
            last = Some(before);
        }
        if breaks(before, last, class_at(at)) {
            breaks_at.push(at);
        }
    }
    // textwrap drops the break at the end of a line after `-` and then the last break it has
    // left, which is the last break within the line: so the words of such a line are.
    if line.ends_with('-') {
        breaks_at.pop();
    }
    breaks_at.push(line.len());
    let mut start = 0;
    Box::new(breaks_at.into_iter().filter(|&end| end > 0).map(move |end| {
        let word = Word::from(&line[start..end]);
        start = end;
        word
    }))
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
        for (i, line) in text.split_terminator('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let indent = if i == 0 { first } else { rest };
            out.push_str(if line.trim().is_empty() {
                indent.trim_end()
            } else {
                indent
            });
            out.push_str(line);
        }
        if text.ends_with('\n') {
            out.push('\n');
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { max_global_rejects: 1 << 20, ..ProptestConfig::default() })]

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
