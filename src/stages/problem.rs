//! One thing wrong with a stages file, where it is, and the list a check collects.

use std::fmt;

/// One thing wrong with a stages file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's name, as given to [`super::parse`].
    pub file: String,
    /// The 1-based line; 1 for a problem with the file as a whole.
    pub line: usize,
    /// The 1-based column, where it helps to point into the line.
    pub column: Option<usize>,
    /// What is wrong and what to do, without the file's name or the position.
    pub message: String,
}

impl Problem {
    /// `file:line[:column]: message`, as compilers write it (and editors link it).
    pub fn located(&self) -> String {
        match self.column {
            Some(column) => format!("{}:{}:{column}: {}", self.file, self.line, self.message),
            None => format!("{}:{}: {}", self.file, self.line, self.message),
        }
    }
}

/// `line L[, column C]: message` — without the file's name, which the caller knows.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, column {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A 1-based position in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pos {
    pub line: usize,
    pub column: usize,
}

/// The problems found so far in one file.
pub(super) struct Problems {
    file: String,
    list: Vec<Problem>,
}

impl Problems {
    /// No problems yet, in the file called `file`.
    pub fn new(file: &str) -> Problems {
        Problems { file: file.to_string(), list: Vec::new() }
    }

    /// A problem at a line, and a column when one helps.
    pub fn push(&mut self, line: usize, column: Option<usize>, message: impl Into<String>) {
        self.list.push(Problem { file: self.file.clone(), line, column, message: message.into() });
    }

    /// A problem at a node (a key or a value).
    pub fn at(&mut self, at: Pos, message: impl Into<String>) {
        self.push(at.line, Some(at.column), message);
    }

    /// Whether nothing is wrong so far.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every problem as found, for a check that stopped early.
    pub fn into_vec(self) -> Vec<Problem> {
        self.list
    }

    /// Every problem, ordered by position. The sort is stable: problems at one position keep
    /// the order they were found in (a stage's name is judged before its settings).
    pub fn into_sorted(self) -> Vec<Problem> {
        let mut list = self.list;
        list.sort_by_key(|p| (p.line, p.column.unwrap_or(0)));
        list
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Stage names for a message: each as [`crate::text::name`] shows it, at most ten, then how
/// many more.
pub(super) fn list_names(names: &[&str]) -> String {
    const SHOWN: usize = 10;
    let mut quoted: Vec<String> = names.iter().take(SHOWN).map(|n| crate::text::name(n)).collect();
    if names.len() > SHOWN {
        quoted.push(format!("{} more", names.len() - SHOWN));
    }
    let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
    list(&quoted)
}
