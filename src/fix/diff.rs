//! Unified diffs of fixed files, for `--diff`: what `--fix` would write, shown and not written.
//!
//! Fixes change a few lines of a file, so the lines both texts share at the start and the end
//! are set aside first and only the middle is compared (a longest common subsequence of lines);
//! a hunk shows three lines of context, as `diff -u` does.

const CONTEXT: usize = 3;

/// The unified diff of `before` and `after`, labelled with `path` (`--- a/PATH`, `+++ b/PATH`);
/// empty when they are equal.
pub fn unified(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let ops = line_ops(&old, &new);
    let sep = if path.starts_with('/') { "" } else { "/" };
    let mut out = format!("--- a{sep}{path}\n+++ b{sep}{path}\n");
    // Hunks: runs of changes with their context, merged when their contexts meet.
    let changes: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Line::Same(..)))
        .map(|(i, _)| i)
        .collect();
    let mut i = 0;
    while i < changes.len() {
        let start = changes[i].saturating_sub(CONTEXT);
        let mut end = changes[i];
        while i + 1 < changes.len() && changes[i + 1] <= end + 2 * CONTEXT + 1 {
            i += 1;
            end = changes[i];
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        out.push_str(&hunk(&ops[start..end], &old, &new));
        i += 1;
    }
    out
}

#[derive(Debug, Clone, Copy)]
enum Line {
    /// A line of both texts: (old index, new index).
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

fn hunk(ops: &[Line], old: &[&str], new: &[&str]) -> String {
    let old_start = ops.iter().find_map(|op| match op {
        Line::Same(o, _) | Line::Removed(o) => Some(*o),
        Line::Added(_) => None,
    });
    let new_start = ops.iter().find_map(|op| match op {
        Line::Same(_, n) | Line::Added(n) => Some(*n),
        Line::Removed(_) => None,
    });
    let old_len = ops.iter().filter(|op| !matches!(op, Line::Added(_))).count();
    let new_len = ops.iter().filter(|op| !matches!(op, Line::Removed(_))).count();
    // An empty side is numbered by the line before it, as `diff -u` does.
    let number = |start: Option<usize>, len: usize| {
        if len == 0 {
            start.unwrap_or(0)
        } else {
            start.map_or(0, |s| s + 1)
        }
    };
    let mut out = format!(
        "@@ -{},{} +{},{} @@\n",
        number(old_start, old_len),
        old_len,
        number(new_start, new_len),
        new_len
    );
    for op in ops {
        let (mark, line) = match *op {
            Line::Same(o, _) => (' ', old[o]),
            Line::Removed(o) => ('-', old[o]),
            Line::Added(n) => ('+', new[n]),
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
    out
}

/// The lines of both texts in order, each kept, removed or added.
fn line_ops(old: &[&str], new: &[&str]) -> Vec<Line> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = &old[prefix..old.len() - suffix];
    let b = &new[prefix..new.len() - suffix];
    // Longest common subsequence of the middle, by dynamic programming from the end.
    let mut table = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let mut ops: Vec<Line> = (0..prefix).map(|k| Line::Same(k, k)).collect();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push(Line::Same(prefix + i, prefix + j));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || table[i + 1][j] >= table[i][j + 1]) {
            ops.push(Line::Removed(prefix + i));
            i += 1;
        } else {
            ops.push(Line::Added(prefix + j));
            j += 1;
        }
    }
    let (old_tail, new_tail) = (old.len() - suffix, new.len() - suffix);
    ops.extend((0..suffix).map(|k| Line::Same(old_tail + k, new_tail + k)));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_line_with_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            unified("p.json", before, after),
            "--- a/p.json\n+++ b/p.json\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
    }

    #[test]
    fn an_added_line_and_a_missing_final_newline() {
        let diff = unified("x", "{\n}", "{\n  \"a\": 1\n}");
        assert_eq!(
            diff,
            "--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n {\n+  \"a\": 1\n }\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn equal_texts_give_nothing() {
        assert_eq!(unified("x", "a\n", "a\n"), "");
    }
}
