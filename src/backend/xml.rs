//! The few things the object stores' XML answers are read for: S3's `ListObjectsV2` and error
//! bodies, STS's credentials, Azure's `List Blobs` and error bodies. Each is "the text of every
//! element at this path", so that is the one function here, over `quick-xml`'s pull reader
//! (no DOM, no serde layer).
//!
//! A server's answer is untrusted: a document that is not well formed is an error, never a
//! partial answer, and nothing here recurses (the path is matched against a stack of names).

use quick_xml::escape::unescape;
use quick_xml::events::Event;
use quick_xml::Reader;

/// The deepest nesting accepted: the answers read here are four or five levels deep.
const MAX_DEPTH: usize = 64;

/// The text of every element whose path of local names (namespace prefixes dropped) is `path`,
/// from the root, in document order: `texts(body, &["ListBucketResult", "Contents", "Key"])`.
/// Character and entity references are resolved; CDATA is taken as is. An element that is
/// empty (`<Key/>`) gives `""`.
pub fn texts(xml: &str, path: &[&str]) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut found = Vec::new();
    // The text of the element being collected, when the stack is exactly `path`.
    let mut current: Option<String> = None;
    let at_path = |stack: &[String]| stack.len() == path.len() && stack.iter().zip(path).all(|(a, b)| a == b);
    loop {
        let event = reader.read_event().map_err(|e| {
            // The parser's words quote the server's bytes (a mismatched element's name): an
            // excerpt, escaped, never raw into a message.
            format!("not well-formed XML at byte {}: {}", reader.error_position(), crate::text::excerpt(&e.to_string()))
        })?;
        match event {
            Event::Start(start) => {
                if stack.len() == MAX_DEPTH {
                    return Err(format!("XML nested deeper than {MAX_DEPTH} elements"));
                }
                stack.push(start.local_name().as_ref().to_string());
                if at_path(&stack) {
                    current = Some(String::new());
                }
            }
            Event::Empty(start) => {
                stack.push(start.local_name().as_ref().to_string());
                if at_path(&stack) {
                    found.push(String::new());
                }
                stack.pop();
            }
            Event::End(_) => {
                if at_path(&stack) {
                    found.extend(current.take());
                }
                stack.pop();
            }
            Event::Text(text) => {
                if let Some(c) = current.as_mut() {
                    let raw = text.xml10_content();
                    c.push_str(
                        &unescape(&raw)
                            .map_err(|e| format!("bad XML text: {}", crate::text::excerpt(&e.to_string())))?,
                    );
                }
            }
            Event::CData(data) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                // Resolved even outside the path: an unknown entity anywhere is a bad document.
                let escaped = format!("&{};", reference.xml10_content());
                let value = unescape(&escaped)
                    .map_err(|e| format!("bad XML reference: {}", crate::text::excerpt(&e.to_string())))?;
                if let Some(c) = current.as_mut() {
                    c.push_str(&value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        // The innermost element, as data: the server named it.
        return Err(format!("XML ends inside <{}>", crate::text::name(stack.last().map_or("", String::as_str))));
    }
    Ok(found)
}

/// The first text at `path`, when there is one.
pub fn text(xml: &str, path: &[&str]) -> Result<Option<String>, String> {
    Ok(texts(xml, path)?.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>tfstate</Name>
  <Contents><Key>env:/blue/app/terraform.tfstate</Key><Size>10</Size></Contents>
  <Contents><Key>env:/a&amp;b/app/terraform.tfstate</Key></Contents>
  <Contents><Key><![CDATA[env:/c<d/x]]></Key></Contents>
  <Contents><Key/></Contents>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>tok&#x2F;1</NextContinuationToken>
</ListBucketResult>"#;

    #[test]
    fn every_text_at_a_path_in_document_order_with_references_resolved() {
        assert_eq!(
            texts(LIST, &["ListBucketResult", "Contents", "Key"]).unwrap(),
            ["env:/blue/app/terraform.tfstate", "env:/a&b/app/terraform.tfstate", "env:/c<d/x", ""]
        );
        assert_eq!(text(LIST, &["ListBucketResult", "NextContinuationToken"]).unwrap().as_deref(), Some("tok/1"));
        assert_eq!(text(LIST, &["ListBucketResult", "Missing"]).unwrap(), None);
    }

    #[test]
    fn namespace_prefixes_are_dropped() {
        let xml = r#"<s:Error xmlns:s="x"><s:Code>AccessDenied</s:Code></s:Error>"#;
        assert_eq!(text(xml, &["Error", "Code"]).unwrap().as_deref(), Some("AccessDenied"));
    }

    #[test]
    fn a_document_that_is_not_well_formed_is_an_error_not_a_partial_answer() {
        assert!(texts("<a><b>x</b>", &["a", "b"]).unwrap_err().contains("ends inside <a>"));
        // The server's names and bytes reach a message escaped, on one line.
        let e = texts("<a><b\n::error::x>y</b\n::error::x>", &["a"]).unwrap_err();
        assert!(!e.contains('\n'), "{e}");
        assert!(texts("<a><b>x</c></a>", &["a", "b"]).is_err());
        assert!(texts("<a>&bogus;</a>", &["a"]).is_err());
        let deep = "<a>".repeat(100);
        assert!(texts(&deep, &["a"]).unwrap_err().contains("deeper than 64"));
    }
}
