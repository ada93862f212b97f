//! Shell scripts (`.sh`, `.bash`, `.zsh`, `#!` scripts) and the shell blocks of documents: the
//! AWS CLI calls that put an SES identity policy.
//!
//! `aws ses put-identity-policy` and `aws sesv2 create-email-identity-policy` /
//! `update-email-identity-policy` put an SES identity policy by their nature, whatever it holds,
//! so their `--policy` is linted as one. The value may be quoted in any of the shell's ways
//! (`'...'`, `"..."` with escapes, `$'...'`), be a heredoc (`"$(cat <<'EOF' ... EOF)"`), span
//! lines joined with `\`, or name a file (`file://policy.json`, `"$(cat policy.json)"`): one the
//! script writes with `cat > policy.json <<EOF` is read from the script, any other is linted on
//! its own in the call's context. Shell variables and command substitutions are unknown values (written
//! `${NAME}`, as Terraform's are). This is a small lexer of our own, not a shell: it knows
//! words, quotes, expansions, comments, operators and heredocs, and nothing runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::policy::{ContextHint, PolicyDocument};
use crate::source::Span;

use super::embedded::Decoded;
use super::terraform::document_in_template;
use super::unit::{Extracted, ReferencedFile};

/// The SES calls that put an identity policy, by service.
const CALLS: [(&str, &str); 3] = [
    ("ses", "put-identity-policy"),
    ("sesv2", "create-email-identity-policy"),
    ("sesv2", "update-email-identity-policy"),
];

/// How deep command substitutions are followed (`$( $( ... ) )`); deeper ones are unknown.
const MAX_DEPTH: usize = 16;

/// Whether text may hold such a call (a byte search, so that most scripts are not lexed).
pub fn may_hold_call(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"identity-policy").is_some()
}

/// The policies of a script's calls, with spans in `text`. `dir` is where a `file://` path is
/// looked for (the script's directory); `None` in a document, whose paths lead nowhere.
pub fn extract(text: &str, dir: Option<&Path>) -> Extracted {
    let mut out = Extracted::default();
    if !may_hold_call(text) {
        return out;
    }
    let mut lexer = Lexer::new(text);
    let commands = lexer.commands(false);
    let written = written_files(&commands, &lexer.heredocs);
    for command in &commands {
        let Some(call) = call(command) else {
            continue;
        };
        let value = match call.policy {
            Some(PolicyArg::Text(value)) => Some(value),
            Some(PolicyArg::File(path)) => match written.get(path.as_str()) {
                Some(body) => Some((*body).clone()),
                None => {
                    if let Some(path) = dir.and_then(|dir| resolve(dir, &path)) {
                        out.referenced.push(ReferencedFile {
                            path,
                            label: call.label.clone(),
                            hint: ContextHint::SesIdentityPolicy,
                            required: false,
                        });
                    }
                    None
                }
            },
            None => None,
        };
        if let Some(document) = value.and_then(|value| document(value, call.label)) {
            out.documents.push(document);
        }
    }
    out
}

/// The spans of the script's calls, from `aws` to the end of their last word (a heredoc in a
/// substitution included): a suppression before a call covers all of it.
pub fn call_spans(text: &str) -> Vec<Span> {
    if !may_hold_call(text) {
        return Vec::new();
    }
    let mut lexer = Lexer::new(text);
    let commands = lexer.commands(false);
    commands
        .iter()
        .filter(|command| call(command).is_some())
        .filter_map(|command| {
            let mut words = command.iter().filter_map(|t| match t {
                Token::Word(w) => Some(w.value.whole),
                _ => None,
            });
            let first = words.next()?;
            let last = words.next_back().unwrap_or(first);
            Some(Span::new(first.start, last.end))
        })
        .collect()
}

/// The policy document of a call's value, when the value is policy text (not a placeholder such
/// as `<policy>` or a whole variable).
fn document(value: Decoded, label: String) -> Option<PolicyDocument> {
    let trimmed = value.text.trim_start();
    if !trimmed.starts_with('{') {
        return None;
    }
    let whole = Span::new(0, value.text.len());
    let mut document = document_in_template(&value.text, whole, label, ContextHint::SesIdentityPolicy)?;
    document.map_spans(&|span| value.span(span));
    Some(document)
}

/// A `file://` path relative to the script, when it can be known.
fn resolve(dir: &Path, path: &str) -> Option<PathBuf> {
    if path.is_empty() || path.contains("${") || Path::new(path).is_absolute() || path.starts_with('~') {
        return None;
    }
    Some(crate::discover::normalized(&dir.join(path)))
}

/// What a call's `--policy` holds.
enum PolicyArg {
    Text(Decoded),
    File(String),
}

/// An SES call that puts an identity policy.
struct Call {
    /// `aws sesv2 create-email-identity-policy --policy-name cognito`.
    label: String,
    policy: Option<PolicyArg>,
}

/// The call a command makes, if it is one of [`CALLS`].
fn call(command: &[Token]) -> Option<Call> {
    let words: Vec<&Word> = command
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w),
            _ => None,
        })
        .collect();
    let aws = words
        .iter()
        .position(|w| w.text() == "aws" || w.text().ends_with("/aws"))?;
    let rest = &words[aws + 1..];
    let service = rest.iter().position(|w| w.text() == "ses" || w.text() == "sesv2")?;
    let operation = rest[service + 1..].iter().find(|w| !w.text().starts_with('-'))?;
    let (service, operation) = (rest[service].text(), operation.text());
    if !CALLS.contains(&(service, operation)) {
        return None;
    }
    let option = |name: &str| -> Option<Decoded> {
        let equals = format!("{name}=");
        rest.iter().enumerate().find_map(|(i, w)| {
            if w.text() == name {
                return rest.get(i + 1).map(|v| v.value.clone());
            }
            let tail = w.text().strip_prefix(&equals)?;
            let mut value = Decoded::new(w.value.whole);
            let skip = w.text().len() - tail.len();
            for (k, c) in tail.char_indices() {
                let at = skip + k;
                value.push_char(c, w.value.span(Span::new(at, at + c.len_utf8())));
            }
            Some(value)
        })
    };
    let mut label = format!("aws {service} {operation}");
    if let Some(name) = option("--policy-name").filter(|n| !n.text.contains("${")) {
        label.push_str(&format!(" --policy-name {}", name.text));
    }
    let policy = option("--policy").map(|value| {
        let text = value.text.trim();
        match text.strip_prefix("file://").or_else(|| text.strip_prefix("fileb://")) {
            Some(path) => PolicyArg::File(path.to_string()),
            None => PolicyArg::Text(value),
        }
    });
    Some(Call { label, policy })
}

/// The files the script writes from a heredoc (`cat > policy.json <<EOF`, `cat <<EOF > f`,
/// `tee f <<EOF`), by path as written.
fn written_files<'h>(commands: &[Vec<Token>], heredocs: &'h [Heredoc]) -> HashMap<String, &'h Decoded> {
    let mut written = HashMap::new();
    for command in commands {
        let first = command.iter().find_map(|t| match t {
            Token::Word(w) => Some(w.text()),
            _ => None,
        });
        if !matches!(first, Some("cat" | "tee")) {
            continue;
        }
        let Some(body) = command.iter().find_map(|t| match t {
            Token::Heredoc(index) => heredocs.get(*index).map(|h| &h.body),
            _ => None,
        }) else {
            continue;
        };
        let target = command
            .iter()
            .enumerate()
            .find_map(|(i, t)| match (t, command.get(i + 1)) {
                (Token::Redirect, Some(Token::Word(w))) => Some(w.text().to_string()),
                _ => None,
            });
        let target = target.or_else(|| {
            // `tee FILE`: the first word after `tee` that is not an option.
            (first == Some("tee"))
                .then(|| {
                    command.iter().skip(1).find_map(|t| match t {
                        Token::Word(w) if !w.text().starts_with('-') => Some(w.text().to_string()),
                        _ => None,
                    })
                })
                .flatten()
        });
        if let Some(target) = target {
            written.insert(target.trim_start_matches("./").to_string(), body);
        }
    }
    written
}

/// A shell word, decoded (quotes and escapes removed, expansions written `${NAME}`).
#[derive(Debug, Clone)]
struct Word {
    value: Decoded,
}

impl Word {
    fn text(&self) -> &str {
        &self.value.text
    }
}

#[derive(Debug, Clone)]
enum Token {
    Word(Word),
    /// `<<EOF`: the index of its heredoc.
    Heredoc(usize),
    /// `>`, `>>`, `<` and their kin (the next word is their file).
    Redirect,
}

#[derive(Debug, Default)]
struct Heredoc {
    delimiter: String,
    /// `<<-`: leading tabs are stripped from the body and the delimiter line.
    strip_tabs: bool,
    /// An unquoted delimiter: the body expands variables.
    expands: bool,
    body: Decoded,
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// Heredocs whose bodies start after the next newline.
    pending: Vec<usize>,
    heredocs: Vec<Heredoc>,
    depth: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            pos: 0,
            pending: Vec::new(),
            heredocs: Vec::new(),
            depth: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// The length of a line continuation (`\` at a line's end, also before a CRLF line break of a
    /// script checked out on Windows) at the current position, or 0.
    fn continuation(&self) -> usize {
        let rest = self.rest();
        if rest.starts_with("\\\n") {
            2
        } else if rest.starts_with("\\\r\n") {
            3
        } else {
            0
        }
    }

    /// Commands up to the end of the text, or, in a command substitution, to its `)`.
    fn commands(&mut self, substitution: bool) -> Vec<Vec<Token>> {
        let mut commands = Vec::new();
        let mut current = Vec::new();
        let mut at_word_start = true;
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => {
                    self.pos += 1;
                    at_word_start = true;
                    continue;
                }
                '\\' if self.continuation() > 0 => {
                    self.pos += self.continuation();
                    continue;
                }
                '\n' => {
                    self.pos += 1;
                    commands.push(std::mem::take(&mut current));
                    self.read_heredoc_bodies();
                }
                '#' if at_word_start => {
                    self.pos += self.rest().find('\n').unwrap_or(self.rest().len());
                }
                ')' if substitution => {
                    self.pos += 1;
                    break;
                }
                ';' | '&' | '|' | '(' | ')' | '{' | '}' if !self.word_continues(c) => {
                    self.pos += 1;
                    commands.push(std::mem::take(&mut current));
                }
                '<' if self.rest().starts_with("<<") && !self.rest().starts_with("<<<") => {
                    self.pos += 2;
                    if let Some(index) = self.heredoc() {
                        current.push(Token::Heredoc(index));
                    }
                }
                // `<identity>`, `<your-policy-name>`: a documentation placeholder, one word.
                '<' if placeholder_len(self.rest()).is_some() => {
                    let at = self.pos;
                    self.pos += placeholder_len(self.rest()).unwrap_or(1);
                    let mut value = Decoded::new(Span::new(at, self.pos));
                    value.push_source(&self.text[at..self.pos], at);
                    current.push(Token::Word(Word { value }));
                    at_word_start = false;
                    continue;
                }
                '<' | '>' => {
                    self.pos += 1;
                    while matches!(self.peek(), Some('>' | '&' | '|' | '<')) {
                        self.pos += 1;
                    }
                    current.push(Token::Redirect);
                }
                _ => {
                    current.push(Token::Word(self.word()));
                    at_word_start = false;
                    continue;
                }
            }
            at_word_start = true;
        }
        commands.push(current);
        commands.retain(|c| !c.is_empty());
        commands
    }

    /// `{` and `}` are words unless they stand alone (`${...}` is read by [`Lexer::word`]).
    fn word_continues(&self, c: char) -> bool {
        matches!(c, '{' | '}')
            && self.rest()[1..]
                .chars()
                .next()
                .is_some_and(|next| !next.is_whitespace() && !matches!(next, ';' | '&' | '|'))
    }

    /// A word, up to an unquoted blank or operator.
    fn word(&mut self) -> Word {
        let mut value = Decoded::new(Span::new(self.pos, self.pos));
        while let Some(c) = self.peek() {
            let at = self.pos;
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')' => break,
                '\\' if self.continuation() > 0 => self.pos += self.continuation(),
                '\\' => {
                    let next = self.rest()[1..].chars().next();
                    match next {
                        Some(n) => {
                            self.pos += 1 + n.len_utf8();
                            value.push_char(n, Span::new(at, self.pos));
                        }
                        None => {
                            self.pos += 1;
                            value.push_source("\\", at);
                        }
                    }
                }
                '\'' => self.single_quoted(&mut value),
                '"' => self.double_quoted(&mut value),
                '$' if self.rest().starts_with("$'") => self.ansi_c_quoted(&mut value),
                '$' => self.dollar(&mut value),
                '`' => self.backquoted(&mut value),
                c => {
                    self.pos += c.len_utf8();
                    value.push_source(&self.text[at..self.pos], at);
                }
            }
        }
        value.whole = Span::new(value.whole.start, self.pos);
        Word { value }
    }

    fn single_quoted(&mut self, value: &mut Decoded) {
        let start = self.pos + 1;
        let end = self.text[start..].find('\'').map_or(self.text.len(), |k| start + k);
        value.push_source(&self.text[start..end], start);
        self.pos = (end + 1).min(self.text.len());
    }

    fn double_quoted(&mut self, value: &mut Decoded) {
        self.pos += 1;
        while let Some(c) = self.peek() {
            let at = self.pos;
            match c {
                '"' => {
                    self.pos += 1;
                    return;
                }
                '\\' if self.continuation() > 0 => self.pos += self.continuation(),
                '\\' => {
                    let next = self.rest()[1..].chars().next();
                    match next {
                        Some(n @ ('"' | '\\' | '$' | '`')) => {
                            self.pos += 2;
                            value.push_char(n, Span::new(at, self.pos));
                        }
                        _ => {
                            self.pos += 1;
                            value.push_source("\\", at);
                        }
                    }
                }
                '$' => self.dollar(value),
                '`' => self.backquoted(value),
                c => {
                    self.pos += c.len_utf8();
                    value.push_source(&self.text[at..self.pos], at);
                }
            }
        }
    }

    /// `$'...'`: ANSI-C quoting, with `\n`, `\t`, `\'`, `\xHH` and their kin.
    fn ansi_c_quoted(&mut self, value: &mut Decoded) {
        self.pos += 2;
        while let Some(c) = self.peek() {
            let at = self.pos;
            match c {
                '\'' => {
                    self.pos += 1;
                    return;
                }
                '\\' => {
                    let rest = &self.rest()[1..];
                    let Some(n) = rest.chars().next() else {
                        self.pos += 1;
                        return;
                    };
                    let (decoded, len) = match n {
                        'n' => (Some('\n'), 1),
                        't' => (Some('\t'), 1),
                        'r' => (Some('\r'), 1),
                        'e' | 'E' => (Some('\u{1b}'), 1),
                        'x' | 'u' | 'U' => {
                            let max = match n {
                                'x' => 2,
                                'u' => 4,
                                _ => 8,
                            };
                            let digits = rest[1..].bytes().take(max).take_while(u8::is_ascii_hexdigit).count();
                            let code = u32::from_str_radix(&rest[1..1 + digits], 16).ok();
                            (code.and_then(char::from_u32), 1 + digits)
                        }
                        n => (Some(n), n.len_utf8()),
                    };
                    self.pos += 1 + len;
                    if let Some(d) = decoded {
                        value.push_char(d, Span::new(at, self.pos));
                    }
                }
                c => {
                    self.pos += c.len_utf8();
                    value.push_source(&self.text[at..self.pos], at);
                }
            }
        }
    }

    /// `` `...` ``: an old-style command substitution, unknown.
    fn backquoted(&mut self, value: &mut Decoded) {
        let at = self.pos;
        let end = self.text[at + 1..].find('`').map_or(self.text.len(), |k| at + 2 + k);
        self.pos = end;
        value.push_opaque("${_}", Span::new(at, end));
    }

    /// An expansion at `$`: a variable or a command substitution is unknown, written `${NAME}`
    /// (a Terraform-style interpolation, which the policy reader reads as unknown); a command
    /// substitution that prints a heredoc (`$(cat <<'EOF' ... EOF)`) is the heredoc's text.
    fn dollar(&mut self, value: &mut Decoded) {
        let at = self.pos;
        let rest = &self.rest()[1..];
        let unknown = |value: &mut Decoded, end: usize, name: &str| {
            value.push_opaque(&format!("${{{name}}}"), Span::new(at, end));
        };
        if rest.starts_with("((") {
            self.pos = at + 1 + balanced(rest, '(', ')');
            unknown(value, self.pos, "_");
        } else if rest.starts_with('(') {
            if self.depth >= MAX_DEPTH {
                self.pos = at + 1 + balanced(rest, '(', ')');
                unknown(value, self.pos, "_");
                return;
            }
            self.pos = at + 2;
            self.depth += 1;
            let commands = self.commands(true);
            self.depth -= 1;
            match (self.printed_heredoc(&commands), printed_file(&commands)) {
                (Some(body), _) => value.append(body),
                // `$(cat policy.json)`, `$(< policy.json)`: the file, as `file://` names it.
                (None, Some(path)) => value.push_opaque(&format!("file://{path}"), Span::new(at, self.pos)),
                (None, None) => unknown(value, self.pos, "_"),
            }
        } else if rest.starts_with('{') {
            let len = balanced(rest, '{', '}');
            self.pos = at + 1 + len;
            let name = rest.get(1..len.saturating_sub(1)).filter(|n| is_name(n)).unwrap_or("_");
            unknown(value, self.pos, name);
        } else {
            let len = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            let special = rest.starts_with(['@', '*', '#', '?', '$', '!', '-']);
            match (len, special) {
                (0, false) => {
                    self.pos += 1;
                    value.push_source("$", at);
                }
                (0, true) => {
                    self.pos += 2;
                    unknown(value, self.pos, "_");
                }
                (len, _) => {
                    self.pos += 1 + len;
                    unknown(value, self.pos, &rest[..len]);
                }
            }
        }
    }

    /// The body of the heredoc a substitution's only command prints with `cat`.
    fn printed_heredoc(&self, commands: &[Vec<Token>]) -> Option<Decoded> {
        let [command] = commands else {
            return None;
        };
        let cat = matches!(command.first(), Some(Token::Word(w)) if w.text() == "cat");
        let index = command.iter().find_map(|t| match t {
            Token::Heredoc(index) => Some(*index),
            _ => None,
        })?;
        let mut body = cat
            .then(|| self.heredocs.get(index).map(|h| h.body.clone()))
            .flatten()?;
        // A command substitution drops the trailing line breaks of what it prints.
        body.truncate(body.text.trim_end_matches('\n').len());
        Some(body)
    }

    /// After `<<`: the heredoc's delimiter; its body is read at the next newline.
    fn heredoc(&mut self) -> Option<usize> {
        let strip_tabs = self.rest().starts_with('-');
        if strip_tabs {
            self.pos += 1;
        }
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
        let start = self.pos;
        let delimiter = self.word();
        let written = &self.text[start..self.pos];
        if delimiter.text().is_empty() {
            return None;
        }
        self.heredocs.push(Heredoc {
            delimiter: delimiter.text().to_string(),
            strip_tabs,
            expands: !written.contains(['\'', '"', '\\']),
            body: Decoded::new(Span::new(self.pos, self.pos)),
        });
        self.pending.push(self.heredocs.len() - 1);
        Some(self.heredocs.len() - 1)
    }

    /// Reads the bodies of the pending heredocs, which start here (after a newline).
    fn read_heredoc_bodies(&mut self) {
        for index in std::mem::take(&mut self.pending) {
            let (delimiter, strip_tabs, expands) = {
                let h = &self.heredocs[index];
                (h.delimiter.clone(), h.strip_tabs, h.expands)
            };
            let mut body = Decoded::new(Span::new(self.pos, self.pos));
            while self.pos < self.text.len() {
                let line_end = self.rest().find('\n').map_or(self.text.len(), |k| self.pos + k);
                let line = &self.text[self.pos..line_end];
                let tabs = if strip_tabs {
                    line.len() - line.trim_start_matches('\t').len()
                } else {
                    0
                };
                if line[tabs..].trim_end_matches('\r') == delimiter {
                    self.pos = (line_end + 1).min(self.text.len());
                    break;
                }
                self.pos += tabs;
                let next = (line_end + 1).min(self.text.len());
                if expands {
                    self.expanded_line(&mut body, next);
                } else {
                    body.push_source(&self.text[self.pos..next], self.pos);
                }
                self.pos = next;
            }
            body.whole = Span::new(body.whole.start, self.pos);
            self.heredocs[index].body = body;
        }
    }

    /// A line of an unquoted heredoc, up to `end`: `\$`, `` \` `` and `\\` are escapes, `$`
    /// expansions are unknown, quotes are text.
    fn expanded_line(&mut self, body: &mut Decoded, end: usize) {
        while self.pos < end {
            let at = self.pos;
            let Some(c) = self.peek() else { break };
            match c {
                '\\' if self.rest()[1..].starts_with(['$', '`', '\\']) => {
                    self.pos += 2;
                    body.push_source(&self.text[at + 1..at + 2], at + 1);
                }
                // A substitution in a heredoc is not followed: its `)` may be lines away.
                '$' if self.rest().starts_with("$(") => {
                    self.pos = (at + 1 + balanced(&self.rest()[1..], '(', ')')).min(end);
                    body.push_opaque("${_}", Span::new(at, self.pos));
                }
                '$' => {
                    self.dollar(body);
                    self.pos = self.pos.min(end);
                }
                c => {
                    self.pos += c.len_utf8();
                    body.push_source(&self.text[at..self.pos], at);
                }
            }
        }
    }
}

/// The file a substitution's only command prints whole: `cat FILE` or `< FILE`.
fn printed_file(commands: &[Vec<Token>]) -> Option<&str> {
    let [command] = commands else {
        return None;
    };
    let path = match command.as_slice() {
        [Token::Word(cat), Token::Word(path)] if cat.text() == "cat" => path,
        [Token::Redirect, Token::Word(path)] => path,
        _ => return None,
    };
    let path = path.text();
    (!path.starts_with('-') && !path.contains("${")).then_some(path)
}

/// The byte length of the bracketed text at the start of `text` (`(...)` or `{...}`, nested),
/// or all of it when unclosed.
fn balanced(text: &str, open: char, close: char) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i + 1;
            }
        }
    }
    text.len()
}

/// The length of a `<placeholder>` at the start of `text` (letters, digits, `-`, `_`, `.` and
/// blanks between the brackets).
fn placeholder_len(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('<')?;
    let end = inner.find('>')?;
    let name = &inner[..end];
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b' '));
    (plain && !name.trim().is_empty() && !name.starts_with(' ')).then_some(end + 2)
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(script: &str) -> Vec<(String, String)> {
        let mut lexer = Lexer::new(script);
        let commands = lexer.commands(false);
        commands
            .iter()
            .filter_map(|c| call(c))
            .map(|c| {
                let value = match c.policy {
                    Some(PolicyArg::Text(v)) => v.text,
                    Some(PolicyArg::File(f)) => format!("file:{f}"),
                    None => String::new(),
                };
                (c.label, value)
            })
            .collect()
    }

    #[test]
    fn quotes_escapes_and_continuations() {
        let script = "aws ses put-identity-policy \\\n  --identity x --policy-name n \\\n  --policy '{\"a\": \"$B\"}'\n\
                      aws sesv2 create-email-identity-policy --policy \"{\\\"a\\\": \\\"$ACCOUNT\\\"}\" --policy-name=m\n\
                      aws sesv2 update-email-identity-policy --policy $'{\\'a\\': 1}\\n'\n";
        assert_eq!(
            values(script),
            [
                (
                    "aws ses put-identity-policy --policy-name n".into(),
                    "{\"a\": \"$B\"}".into()
                ),
                (
                    "aws sesv2 create-email-identity-policy --policy-name m".into(),
                    "{\"a\": \"${ACCOUNT}\"}".into()
                ),
                ("aws sesv2 update-email-identity-policy".into(), "{'a': 1}\n".into()),
            ]
        );
    }

    #[test]
    fn heredocs_in_substitutions_and_files() {
        let script = "aws ses put-identity-policy --policy \"$(cat <<'EOF'\n{\"x\": \"$Y\"}\nEOF\n)\" --identity i\n\
                      cat > p.json <<-EOF\n\t{\"z\": \"$Z\"}\n\tEOF\n\
                      aws sesv2 create-email-identity-policy --policy file://p.json # done\n";
        assert_eq!(
            values(script),
            [
                ("aws ses put-identity-policy".into(), "{\"x\": \"$Y\"}".into()),
                ("aws sesv2 create-email-identity-policy".into(), "file:p.json".into()),
            ]
        );
        assert_eq!(
            values("aws ses put-identity-policy --policy \"$(cat ./p.json)\"\naws ses put-identity-policy --policy \"$(< q.json)\"\n"),
            [
                ("aws ses put-identity-policy".into(), "file:./p.json".into()),
                ("aws ses put-identity-policy".into(), "file:q.json".into()),
            ]
        );
        let extracted = extract(script, None);
        assert_eq!(extracted.documents.len(), 2);
        // The file the script writes is its heredoc; spans are in the script.
        let span = extracted.documents[1].span;
        assert_eq!(&script[span.start..span.end], "{\"z\": \"$Z\"}\n");
    }

    #[test]
    fn placeholders_stay_words() {
        assert_eq!(
            values("aws ses put-identity-policy --identity <identity> --policy-name <policy name> --policy <policy>"),
            [(
                "aws ses put-identity-policy --policy-name <policy name>".into(),
                "<policy>".into()
            )]
        );
    }

    #[test]
    fn other_commands_and_comments_are_not_calls() {
        assert!(values("# aws ses put-identity-policy --policy '{}'\necho aws ses list-identities\n").is_empty());
        assert!(values("aws ses get-identity-policies --identity x").is_empty());
    }

    #[test]
    fn hostile_input_ends() {
        for script in [
            "$(",
            "$(((",
            "\"$(cat <<EOF",
            "'",
            "$'\\x",
            "<<",
            "${",
            "`",
            "\\",
            "cat <<-",
            "$'\\u{",
        ] {
            let text = format!("aws ses put-identity-policy --policy {script}");
            let _ = extract(&text, None);
        }
    }
}
