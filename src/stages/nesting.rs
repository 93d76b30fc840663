//! How deep a YAML text nests, found without recursion.
//!
//! `marked-yaml` builds its tree with yaml-rust2's recursive loader: a stages file or a
//! Chart.yaml nested a few thousand levels deep (`- - - …`, or indented block mappings) would
//! exhaust the stack (1 MiB in WebAssembly) and abort the run without a word. yaml-rust2's event
//! parser is iterative, so counting collection starts and ends with it first finds such a text
//! before the loader sees it.

use yaml_rust2::parser::Parser;
use yaml_rust2::Event;

/// Levels of mappings and lists a YAML file may nest: the limit JSON states have too. A stages
/// file needs three, a Chart.yaml a handful.
pub const MAX_DEPTH: usize = 128;

/// Where (1-based line and column) the first document of `text` opens a collection deeper than
/// [`MAX_DEPTH`], if it does. A text that is not valid YAML before that depth is left to the
/// loader to explain.
pub fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        let (event, mark) = parser.next_token().ok()?;
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((mark.line(), mark.col() + 1));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            Event::DocumentEnd | Event::StreamEnd => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_counted_without_recursion_in_block_and_flow_styles() {
        let block = "- ".repeat(100_000) + "x\n";
        assert_eq!(too_deep(&block), Some((1, 257)));
        let mut indented = String::new();
        for i in 0..100_000 {
            indented.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        assert_eq!(too_deep(&indented), Some((129, 133)));
        let ok = "- ".repeat(MAX_DEPTH) + "x\n";
        assert_eq!(too_deep(&ok), None);
        assert_eq!(too_deep(&format!("{}{}", "[".repeat(200), "]".repeat(200))), Some((1, 129)));
        // Deeper flow collections the scanner refuses itself (past 255 levels, before this
        // counts to the limit): the loader then explains that, without recursing.
        assert_eq!(too_deep(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))), None);
    }
}
