//! Saved web page (bytes) → the plain text that marquee's review parser reads.
//!
//! The critic's reviews live in two kinds of HTML: old hand-made "letter pages" (often
//! `windows-1252`, `<p>` left unclosed, `<br>` line wraps, whole capsules in `<pre>`), and modern
//! WordPress posts (one review inside `<div class="entry-content">`, wrapped in site chrome).
//! Feed items carry the same post HTML as a fragment. The review parser does not want to know
//! about any of that: it wants paragraphs separated by one blank line and lines separated by
//! `\n`, and — so that an error message can say "line 214 of reviews2004.htm" — the source line
//! each output line came from.
//!
//! # How it works
//!
//! * [`decode_page`] turns bytes into a `String` the way a browser would (BOM, then a bounded
//!   WHATWG-style prescan of the first 1024 bytes for `<meta charset>`, then UTF-8 if valid, else
//!   windows-1252), with one deliberate deviation: a page that *declares* UTF-8 but is not valid
//!   UTF-8 is read as windows-1252, because old pages lie.
//! * [`page_text`] parses with html5ever's spec-compliant tokenizer and tree builder (the parser
//!   under `scraper`), so unclosed `<p>`, stray end tags, entities and `<script>` contents are
//!   handled exactly as a browser would. The tree goes into a small arena DOM defined here (not
//!   scraper's), because scraper's DOM keeps no source positions and we need them.
//!
//! # Source lines
//!
//! html5ever's tokenizer reports, with each token, the line it had reached when it *emitted* the
//! token — for a run of text that is the line of the run's *last* character. A small token
//! filter (`TokenFilter`) sits between tokenizer and tree builder: it cuts every text token
//! after each `\n` and hands each piece on with the line its *first* character is on
//! (reported line − newlines in the token). The tree builder passes that line to the DOM
//! through `TreeSink::set_current_line`, and the DOM stores it with each text segment, so the
//! line of every character is known exactly, and an output line maps to the line of its first
//! character. Elements record the line of their start tag's `>` (a tag spread over several lines
//! counts as the line of its `>`).
//!
//! A blank output line gets the line of what caused the break: the second `<br>` of a pair, the
//! start tag of the block that begins there, or — for the end of a block, since html5ever does not
//! report where an element ended — the line the block's text ended on. When several breaks
//! collapse into one blank line, the first one's line is kept.
//!
//! Limits (best effort): a character reference that produces a newline (`&#10;`) gives its own
//! piece a line one too small; text that the tree builder buffers in table context or moves out
//! of a `<table>` ("foster parenting") gets the line where it was inserted. Ordinary markup —
//! one `<p>` per paragraph, `<br>` wraps, pages in `<pre>`, CRLF or LF line ends — is exact.
//!
//! # Layout rules
//!
//! * Root: the first element with class `entry-content`, else the first `<article>`, else
//!   `<body>` — the first one that is not inside a dropped element (a "recent posts" widget in a
//!   dropped `<aside>` must not win).
//! * Dropped wherever they are: [`DROPPED_ELEMENTS`] and elements whose `role` is `navigation`,
//!   `banner`, `contentinfo` or `complementary`.
//! * Block elements ([`BLOCK_ELEMENTS`]) start and end paragraphs. Table cells count as blocks
//!   too (each `<td>`/`<th>` is its own paragraph): old pages use tables for layout, and a nav
//!   column must not run into the first capsule.
//! * `<br>` ends a line; a line that ends up empty is a blank line, so two `<br>` in a row
//!   (whitespace between ignored) separate paragraphs, as does a line holding only `&nbsp;`.
//! * Outside `<pre>`: runs of HTML whitespace (space, tab, LF, FF, CR) collapse to one space and
//!   lines are trimmed of it at both ends. U+00A0 (`&nbsp;`) is never collapsed or turned into a
//!   space; it is kept inside a line and at its start (deliberate indentation), and trimmed at a
//!   line's end (where it is invisible), so an `&nbsp;`-only line is blank.
//! * Inside `<pre>` (and `<listing>`, `<xmp>`, `<plaintext>`): the text's own line breaks and
//!   leading spaces are kept; trailing whitespace is trimmed; blank lines separate paragraphs.
//! * Output: at most one blank line in a row, none at the start or end, LF line ends.
//!
//! Nothing here panics on any input, and all work is linear in the input except html5ever's own
//! scope checks, which are linear in the depth of open elements; `TokenFilter` caps that depth
//! (see [`MAX_DEPTH`]) so deeply nested junk stays fast. A page over 1 GiB is read only up to
//! there (html5ever's buffers have `u32` lengths).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use encoding_rs::Encoding;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, ExpandedName, LocalName, Namespace, QualName, TokenizerResult};

/// A web page's text, as the layout parser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    /// Paragraphs separated by one blank line; lines within a paragraph by `'\n'`. No leading
    /// or trailing blank lines; no trailing spaces on a line.
    pub text: String,
    /// For each line of `text` (as split on `'\n'`), the 1-based line of the HTML source where
    /// that line's text starts (blank lines: the line of what caused the break). Same length
    /// as `text.split('\n').count()` — so one entry (`1`) even when `text` is empty. Used so
    /// that an error in a capsule names the line of the `.htm` file a person would open in an
    /// editor.
    pub source_lines: Vec<usize>,
    /// The page's canonical address: `<link rel="canonical" href="…">`, else
    /// `<meta property="og:url" content="…">`; only an absolute `http://` or `https://` URL,
    /// trimmed.
    pub canonical: Option<String>,
}

/// Elements whose whole subtree is left out of the text, wherever they are: code, page chrome
/// (site header, navigation, sidebars, footers — also the `entry-header`/`entry-footer` inside a
/// WordPress `<article>`), and form controls. `head` and `title` hold no review text.
pub const DROPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "nav", "header", "footer", "aside",
    "form", "button", "select", "textarea", "iframe", "svg", "canvas",
];

/// ARIA landmark roles that mark page chrome; an element with one of them is dropped.
const DROPPED_ROLES: &[&str] = &["navigation", "banner", "contentinfo", "complementary"];

/// Elements that begin and end a paragraph (their text is set off by blank lines).
#[rustfmt::skip]
pub const BLOCK_ELEMENTS: &[&str] = &[
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend",
    "li", "listing", "main", "menu", "nav", "ol", "p", "plaintext", "pre", "search", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "xmp",
];

/// Elements whose text keeps its own line breaks and leading spaces.
const PREFORMATTED_ELEMENTS: &[&str] = &["pre", "listing", "xmp", "plaintext"];

/// How deep elements may nest in the tree; deeper ones are closed at once, so that what follows
/// them becomes their sibling. html5ever checks "is there a `<p>` in scope" by walking the stack
/// of open elements, so 100k nested `<div>`s would cost 100k² steps. Browsers cap depth too
/// (Blink at 512, also by making deeper elements siblings). Real pages — even old ones with many unclosed `<font>` tags —
/// stay far below this.
pub const MAX_DEPTH: usize = 256;

/// Input is handed to the tokenizer in pieces of about this many bytes, so that no single
/// tendril (whose length is a `u32`) has to hold the whole page.
const FEED_CHUNK: usize = 1 << 20;

/// Only this much of a page is read. html5ever's buffers measure their length in `u32`, so a
/// single token of 4 GiB would overflow them; no real page comes near 1 GiB.
const MAX_INPUT: usize = 1 << 30;

/// How many bytes at the start of a page are searched for a charset declaration (WHATWG).
const PRESCAN_LIMIT: usize = 1024;

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/// Decodes a saved page's bytes to a string, and says which encoding it used.
///
/// Order: a byte-order mark (UTF-8, UTF-16LE/BE) wins; else the charset the page declares in
/// its first 1024 bytes (`<meta charset="…">`, or `<meta http-equiv="Content-Type"
/// content="text/html; charset=…">`, names and values case-insensitive, quoted or not, found
/// with a bounded version of the WHATWG prescan, so declarations inside comments or other tags'
/// attributes do not count; labels resolved with [`Encoding::for_label`], so `ISO-8859-1`
/// means windows-1252, and a declared UTF-16 label means UTF-8 as the spec says); else UTF-8 if
/// the bytes are valid UTF-8; else windows-1252. A page that declares UTF-8 but is not valid
/// UTF-8 is read as windows-1252 (old pages lie).
///
/// Labels that name the "replacement" encoding (e.g. `iso-2022-kr`) are ignored rather than
/// turning the whole page into one U+FFFD: an archive tool is better served by the fallback.
/// Bytes that are malformed in the chosen encoding become U+FFFD (never an error).
#[must_use]
pub fn decode_page(bytes: &[u8]) -> (String, &'static Encoding) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let (text, _) = encoding.decode_without_bom_handling(rest);
        return (text.into_owned(), encoding);
    }
    match prescan_charset(bytes) {
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            let (text, _) = encoding.decode_without_bom_handling(bytes);
            (text.into_owned(), encoding)
        }
        // Declared UTF-8, or nothing declared: trust UTF-8 only if the bytes really are UTF-8.
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_owned(), encoding_rs::UTF_8),
            Err(_) => {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                (text.into_owned(), encoding_rs::WINDOWS_1252)
            }
        },
    }
}

/// The WHATWG "prescan a byte stream to determine its encoding" algorithm, bounded to the first
/// [`PRESCAN_LIMIT`] bytes (a declaration that straddles or follows that point is not seen).
/// Comments are skipped and other tags' attributes are stepped over, so `<!-- <meta
/// charset=x> -->` or `<img alt="<meta charset=x>">` do not count.
fn prescan_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let b = bytes.get(..PRESCAN_LIMIT).unwrap_or(bytes);
    let mut pos = 0;
    while pos < b.len() {
        let rest = b.get(pos..).unwrap_or_default();
        if rest.starts_with(b"<!--") {
            // "<!-->" closes at once: the search for "-->" starts at the second '-'.
            pos = pos + 2 + find(b.get(pos + 2..).unwrap_or_default(), b"-->")? + 3;
            continue;
        }
        if starts_with_ignore_case(rest, b"<meta")
            && rest.get(5).is_some_and(|&c| is_ws_byte(c) || c == b'/')
        {
            pos += 5;
            let mut seen: Vec<Vec<u8>> = Vec::new();
            let mut got_pragma = false;
            let mut need_pragma: Option<bool> = None;
            let mut charset: Option<&'static Encoding> = None;
            loop {
                let (attr, next) = get_attribute(b, pos);
                pos = next;
                let Some((name, value)) = attr else { break };
                if seen.contains(&name) {
                    continue;
                }
                match name.as_slice() {
                    b"http-equiv" => got_pragma |= value == b"content-type",
                    b"content" if charset.is_none() => {
                        if let Some(found) = charset_from_meta_content(&value) {
                            charset = Encoding::for_label(found);
                            need_pragma = Some(true);
                        }
                    }
                    b"charset" => {
                        charset = Encoding::for_label(&value);
                        need_pragma = Some(false);
                    }
                    _ => {}
                }
                seen.push(name);
            }
            let wanted = match need_pragma {
                None => false,
                Some(true) => got_pragma,
                Some(false) => true,
            };
            if let (true, Some(encoding)) = (wanted, charset) {
                if encoding == encoding_rs::UTF_16BE || encoding == encoding_rs::UTF_16LE {
                    return Some(encoding_rs::UTF_8);
                }
                if encoding == encoding_rs::X_USER_DEFINED {
                    return Some(encoding_rs::WINDOWS_1252);
                }
                if encoding != encoding_rs::REPLACEMENT {
                    return Some(encoding);
                }
            }
        } else if rest.first() == Some(&b'<')
            && (rest.get(1).is_some_and(u8::is_ascii_alphabetic)
                || (rest.get(1) == Some(&b'/') && rest.get(2).is_some_and(u8::is_ascii_alphabetic)))
        {
            // Any other tag: skip its name, then its attributes (whose values may hold '>').
            while b.get(pos).is_some_and(|&c| !is_ws_byte(c) && c != b'>') {
                pos += 1;
            }
            loop {
                let (attr, next) = get_attribute(b, pos);
                pos = next;
                if attr.is_none() {
                    break;
                }
            }
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            pos += find(rest, b">")?;
        }
        pos += 1;
    }
    None
}

/// WHATWG "get an attribute" for the prescan. Returns the attribute (name and value, ASCII
/// lower-cased) or `None` at a `>` or the end of the input, and the position after it.
#[allow(clippy::type_complexity)]
fn get_attribute(b: &[u8], mut pos: usize) -> (Option<(Vec<u8>, Vec<u8>)>, usize) {
    while b.get(pos).is_some_and(|&c| is_ws_byte(c) || c == b'/') {
        pos += 1;
    }
    match b.get(pos) {
        None | Some(b'>') => return (None, pos),
        _ => {}
    }
    let mut name = Vec::new();
    let mut value = Vec::new();
    // The name.
    loop {
        let Some(&c) = b.get(pos) else {
            return (None, pos);
        };
        if c == b'=' && !name.is_empty() {
            pos += 1;
            break;
        }
        if is_ws_byte(c) {
            while b.get(pos).is_some_and(|&c| is_ws_byte(c)) {
                pos += 1;
            }
            if b.get(pos) != Some(&b'=') {
                return (Some((name, value)), pos);
            }
            pos += 1;
            break;
        }
        if c == b'/' || c == b'>' {
            return (Some((name, value)), pos);
        }
        name.push(c.to_ascii_lowercase());
        pos += 1;
    }
    // The value.
    while b.get(pos).is_some_and(|&c| is_ws_byte(c)) {
        pos += 1;
    }
    match b.get(pos) {
        None => (None, pos),
        Some(&quote) if quote == b'"' || quote == b'\'' => {
            pos += 1;
            loop {
                match b.get(pos) {
                    None => return (None, pos),
                    Some(&c) if c == quote => return (Some((name, value)), pos + 1),
                    Some(&c) => value.push(c.to_ascii_lowercase()),
                }
                pos += 1;
            }
        }
        Some(b'>') => (Some((name, value)), pos),
        Some(_) => {
            while let Some(&c) = b.get(pos) {
                if is_ws_byte(c) || c == b'>' {
                    return (Some((name, value)), pos);
                }
                value.push(c.to_ascii_lowercase());
                pos += 1;
            }
            (None, pos)
        }
    }
}

/// WHATWG "extracting a character encoding from a meta element": the label after `charset=` in
/// a `content` attribute such as `text/html; charset=windows-1252`.
fn charset_from_meta_content(content: &[u8]) -> Option<&[u8]> {
    let mut pos = 0;
    loop {
        let rest = content.get(pos..)?;
        let at = find_ignore_case(rest, b"charset")?;
        pos += at + b"charset".len();
        while content.get(pos).is_some_and(|&c| is_ws_byte(c)) {
            pos += 1;
        }
        if content.get(pos) != Some(&b'=') {
            continue;
        }
        pos += 1;
        while content.get(pos).is_some_and(|&c| is_ws_byte(c)) {
            pos += 1;
        }
        return match content.get(pos) {
            None => None,
            Some(&quote) if quote == b'"' || quote == b'\'' => {
                let rest = content.get(pos + 1..)?;
                let end = rest.iter().position(|&c| c == quote)?;
                rest.get(..end)
            }
            Some(_) => {
                let rest = content.get(pos..)?;
                let end = rest
                    .iter()
                    .position(|&c| is_ws_byte(c) || c == b';')
                    .unwrap_or(rest.len());
                rest.get(..end)
            }
        };
    }
}

fn is_ws_byte(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack
        .get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

// ---------------------------------------------------------------------------------------------
// Parsing: an arena DOM that remembers source lines
// ---------------------------------------------------------------------------------------------

/// A node handle: an index into [`Dom::nodes`].
type Id = usize;

const DOCUMENT: Id = 0;

#[derive(Debug)]
enum NodeKind {
    Document,
    Element {
        name: Rc<QualName>,
        attrs: Vec<Attribute>,
        /// A `<template>`'s contents live in a separate fragment node, as the spec says.
        template_contents: Option<Id>,
    },
    /// Text as the tree builder appended it: each piece with the source line of its first
    /// character (pieces never span more than one source line, see `TokenFilter`).
    Text(Vec<(StrTendril, usize)>),
    /// Comments, doctypes, processing instructions: nothing to read.
    Other,
}

#[derive(Debug)]
struct Node {
    kind: NodeKind,
    parent: Option<Id>,
    first_child: Option<Id>,
    last_child: Option<Id>,
    prev_sibling: Option<Id>,
    next_sibling: Option<Id>,
    /// Source line of the token that created the node (for an element, its start tag's `>`).
    line: usize,
    /// Distance from the document when the node was inserted (not updated if the tree builder
    /// later moves its ancestors; only the depth cap uses it).
    depth: usize,
}

/// The tree html5ever builds, kept as a flat arena with sibling links so that insertion,
/// removal and traversal are O(1) per step and nothing recurses (100k nested `<div>`s must not
/// overflow the stack, neither while walking nor while dropping the tree).
#[derive(Debug)]
struct Dom {
    nodes: RefCell<Vec<Node>>,
    /// The source line of the token the tree builder is working on.
    line: Cell<usize>,
    /// How many elements have been created, and the latest one (for the depth cap).
    created: Cell<usize>,
    last_created: Cell<Id>,
    /// The "name" of a non-element, should the tree builder ever ask.
    no_name: QualName,
}

/// What the tree builder holds on to for a node. An element's name rides along, so that
/// `elem_name` — called for every step of html5ever's walks down the stack of open elements —
/// is a field access rather than a lookup in the arena's `RefCell`.
#[derive(Clone, Debug)]
struct Handle {
    id: Id,
    name: Option<Rc<QualName>>,
}

impl Handle {
    fn plain(id: Id) -> Handle {
        Handle { id, name: None }
    }
}

impl Dom {
    fn new() -> Dom {
        Dom {
            nodes: RefCell::new(vec![Node::new(NodeKind::Document, 1)]),
            line: Cell::new(1),
            created: Cell::new(0),
            last_created: Cell::new(DOCUMENT),
            no_name: QualName::new(None, Namespace::from(""), LocalName::from("")),
        }
    }

    fn last_created_depth(&self) -> usize {
        let nodes = self.nodes.borrow();
        nodes.get(self.last_created.get()).map_or(0, |n| n.depth)
    }

    fn push_node(&self, kind: NodeKind) -> Id {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node::new(kind, self.line.get()));
        nodes.len() - 1
    }
}

impl Node {
    fn new(kind: NodeKind, line: usize) -> Node {
        Node {
            kind,
            parent: None,
            first_child: None,
            last_child: None,
            prev_sibling: None,
            next_sibling: None,
            line,
            depth: 0,
        }
    }

    fn element_name(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Element { name, .. } => Some(&name.local),
            _ => None,
        }
    }

    fn attr(&self, wanted: &str) -> Option<&str> {
        match &self.kind {
            NodeKind::Element { attrs, .. } => attrs
                .iter()
                .find(|a| a.name.ns.is_empty() && &*a.name.local == wanted)
                .map(|a| &*a.value),
            _ => None,
        }
    }
}

/// Unlinks `id` from its parent and siblings (no-op if it has no parent).
fn detach(nodes: &mut [Node], id: Id) {
    let Some(node) = nodes.get_mut(id) else {
        return;
    };
    let (parent, prev, next) = (
        node.parent.take(),
        node.prev_sibling.take(),
        node.next_sibling.take(),
    );
    let Some(parent) = parent else {
        return;
    };
    match prev {
        Some(p) => {
            if let Some(n) = nodes.get_mut(p) {
                n.next_sibling = next;
            }
        }
        None => {
            if let Some(n) = nodes.get_mut(parent) {
                n.first_child = next;
            }
        }
    }
    match next {
        Some(x) => {
            if let Some(n) = nodes.get_mut(x) {
                n.prev_sibling = prev;
            }
        }
        None => {
            if let Some(n) = nodes.get_mut(parent) {
                n.last_child = prev;
            }
        }
    }
}

/// Appends the (detached) node `child` as the last child of `parent`.
fn link_last(nodes: &mut [Node], parent: Id, child: Id) {
    let Some(last) = nodes.get(parent).map(|p| p.last_child) else {
        return;
    };
    let depth = nodes.get(parent).map_or(0, |p| p.depth + 1);
    if let Some(c) = nodes.get_mut(child) {
        c.depth = depth;
        c.parent = Some(parent);
        c.prev_sibling = last;
        c.next_sibling = None;
    } else {
        return;
    }
    match last {
        Some(l) => {
            if let Some(n) = nodes.get_mut(l) {
                n.next_sibling = Some(child);
            }
        }
        None => {
            if let Some(n) = nodes.get_mut(parent) {
                n.first_child = Some(child);
            }
        }
    }
    if let Some(p) = nodes.get_mut(parent) {
        p.last_child = Some(child);
    }
}

/// Inserts the (detached) node `new` just before `sibling`, which must have a parent.
fn link_before(nodes: &mut [Node], sibling: Id, new: Id) {
    let Some((parent, prev)) = nodes
        .get(sibling)
        .and_then(|s| Some((s.parent?, s.prev_sibling)))
    else {
        return;
    };
    let depth = nodes.get(parent).map_or(0, |p| p.depth + 1);
    if let Some(n) = nodes.get_mut(new) {
        n.depth = depth;
        n.parent = Some(parent);
        n.prev_sibling = prev;
        n.next_sibling = Some(sibling);
    } else {
        return;
    }
    if let Some(s) = nodes.get_mut(sibling) {
        s.prev_sibling = Some(new);
    }
    match prev {
        Some(p) => {
            if let Some(n) = nodes.get_mut(p) {
                n.next_sibling = Some(new);
            }
        }
        None => {
            if let Some(n) = nodes.get_mut(parent) {
                n.first_child = Some(new);
            }
        }
    }
}

/// Adds a text piece to the text node `id` if it is one; tells whether it did.
fn add_text(nodes: &mut [Node], id: Option<Id>, text: &StrTendril, line: usize) -> bool {
    match id.and_then(|i| nodes.get_mut(i)).map(|n| &mut n.kind) {
        Some(NodeKind::Text(pieces)) => {
            pieces.push((text.clone(), line));
            true
        }
        _ => false,
    }
}

impl TreeSink for Dom {
    type Handle = Handle;
    type Output = Dom;
    type ElemName<'a> = ExpandedName<'a>;

    fn finish(self) -> Dom {
        self
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        Handle::plain(DOCUMENT)
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> ExpandedName<'a> {
        // Never asked for a non-element; answer something harmless rather than panic.
        target.name.as_deref().unwrap_or(&self.no_name).expanded()
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        let template_contents = flags.template.then(|| self.push_node(NodeKind::Document));
        let name = Rc::new(name);
        let id = self.push_node(NodeKind::Element {
            name: Rc::clone(&name),
            attrs,
            template_contents,
        });
        self.created.set(self.created.get().wrapping_add(1));
        self.last_created.set(id);
        Handle {
            id,
            name: Some(name),
        }
    }

    fn create_comment(&self, _text: StrTendril) -> Handle {
        Handle::plain(self.push_node(NodeKind::Other))
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Handle {
        Handle::plain(self.push_node(NodeKind::Other))
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        let line = self.line.get();
        let mut nodes = self.nodes.borrow_mut();
        match child {
            NodeOrText::AppendNode(child) => {
                detach(&mut nodes, child.id);
                link_last(&mut nodes, parent.id, child.id);
            }
            NodeOrText::AppendText(text) => {
                let last = nodes.get(parent.id).and_then(|p| p.last_child);
                if !add_text(&mut nodes, last, &text, line) {
                    nodes.push(Node::new(NodeKind::Text(vec![(text, line)]), line));
                    let id = nodes.len() - 1;
                    link_last(&mut nodes, parent.id, id);
                }
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        let has_parent = self
            .nodes
            .borrow()
            .get(element.id)
            .is_some_and(|n| n.parent.is_some());
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Handle) -> Handle {
        match self.nodes.borrow().get(target.id).map(|n| &n.kind) {
            Some(NodeKind::Element {
                template_contents: Some(contents),
                ..
            }) => Handle::plain(*contents),
            _ => target.clone(),
        }
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        x.id == y.id
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Handle, new_node: NodeOrText<Handle>) {
        let line = self.line.get();
        let mut nodes = self.nodes.borrow_mut();
        if nodes.get(sibling.id).and_then(|s| s.parent).is_none() {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(node) => {
                detach(&mut nodes, node.id);
                link_before(&mut nodes, sibling.id, node.id);
            }
            NodeOrText::AppendText(text) => {
                let prev = nodes.get(sibling.id).and_then(|s| s.prev_sibling);
                if !add_text(&mut nodes, prev, &text, line) {
                    nodes.push(Node::new(NodeKind::Text(vec![(text, line)]), line));
                    let id = nodes.len() - 1;
                    link_before(&mut nodes, sibling.id, id);
                }
            }
        }
    }

    fn add_attrs_if_missing(&self, target: &Handle, new_attrs: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(NodeKind::Element { attrs, .. }) = nodes.get_mut(target.id).map(|n| &mut n.kind)
        {
            for attr in new_attrs {
                if !attrs.iter().any(|a| a.name == attr.name) {
                    attrs.push(attr);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &Handle) {
        detach(&mut self.nodes.borrow_mut(), target.id);
    }

    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        let mut nodes = self.nodes.borrow_mut();
        while let Some(child) = nodes.get(node.id).and_then(|n| n.first_child) {
            detach(&mut nodes, child);
            link_last(&mut nodes, new_parent.id, child);
        }
    }

    fn set_current_line(&self, line_number: u64) {
        self.line
            .set(usize::try_from(line_number).unwrap_or(usize::MAX));
    }
}

/// A token filter between tokenizer and tree builder, for two jobs:
///
/// * Source lines. The tokenizer reports a text token with the line of its *last* character.
///   This cuts text after every `\n` and passes each piece with the line of its *first*
///   character, so every text piece the DOM stores starts on a known line and spans one line.
/// * Depth cap. When a start tag makes an element deeper than [`MAX_DEPTH`] in the tree, it
///   closes that element again at once (a synthetic end tag) and later swallows the real end
///   tag, so what follows lands beside it instead of inside it. html5ever's scope checks walk
///   the stack of open elements, so unbounded nesting would make parsing quadratic.
struct TokenFilter {
    inner: TreeBuilder<Handle, Dom>,
    /// Per element name, how many elements were closed early and still await their end tag.
    closed_early: RefCell<Vec<(LocalName, usize)>>,
}

/// Elements that the depth cap must not close with a synthetic end tag: void elements (`</br>`
/// would even count as a `<br>`), and elements whose content the tokenizer reads as raw text
/// (closing them early would turn their content, e.g. CSS, into page text). None of them nests.
fn never_closed_early(name: &str) -> bool {
    #[rustfmt::skip]
    const NAMES: &[&str] = &[
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
        "input", "keygen", "link", "meta", "param", "source", "track", "wbr", "script", "style",
        "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext",
    ];
    NAMES.contains(&name)
}

impl TokenFilter {
    fn new(inner: TreeBuilder<Handle, Dom>) -> Self {
        TokenFilter {
            inner,
            closed_early: RefCell::new(Vec::new()),
        }
    }

    fn process_tag(&self, tag: Tag, line: u64) -> TokenSinkResult<Handle> {
        if tag.kind == TagKind::EndTag {
            let mut closed_early = self.closed_early.borrow_mut();
            if let Some((_, count)) = closed_early
                .iter_mut()
                .find(|(n, c)| *n == tag.name && *c > 0)
            {
                *count -= 1;
                return TokenSinkResult::Continue;
            }
            drop(closed_early);
            return self.inner.process_token(Token::TagToken(tag), line);
        }
        let created_before = self.inner.sink.created.get();
        let name = tag.name.clone();
        let self_closing = tag.self_closing;
        let result = self.inner.process_token(Token::TagToken(tag), line);
        let too_deep = self.inner.sink.created.get() != created_before
            && self.inner.sink.last_created_depth() > MAX_DEPTH;
        if !too_deep || self_closing || never_closed_early(&name) {
            return result;
        }
        let end = Tag {
            kind: TagKind::EndTag,
            name: name.clone(),
            self_closing: false,
            attrs: Vec::new(),
            had_duplicate_attributes: false,
        };
        let end_result = self.inner.process_token(Token::TagToken(end), line);
        let mut closed_early = self.closed_early.borrow_mut();
        match closed_early.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => closed_early.push((name, 1)),
        }
        match result {
            TokenSinkResult::Continue => end_result,
            other => other,
        }
    }
}

impl TokenSink for TokenFilter {
    type Handle = Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<Handle> {
        match token {
            Token::CharacterTokens(text) => {
                let newlines = text.bytes().filter(|&b| b == b'\n').count() as u64;
                let mut line = line_number.saturating_sub(newlines);
                let only_at_end = newlines == 0 || (newlines == 1 && text.ends_with('\n'));
                if only_at_end {
                    return self.inner.process_token(Token::CharacterTokens(text), line);
                }
                let mut result = TokenSinkResult::Continue;
                let mut start = 0usize;
                let bytes = text.as_bytes();
                while start < bytes.len() {
                    let end = bytes
                        .get(start..)
                        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
                        .map_or(bytes.len(), |at| start + at + 1);
                    let piece = text
                        .get(start..end)
                        .map(StrTendril::from_slice)
                        .unwrap_or_default();
                    let r = self
                        .inner
                        .process_token(Token::CharacterTokens(piece), line);
                    if !matches!(r, TokenSinkResult::Continue) {
                        result = r;
                    }
                    line += 1;
                    start = end;
                }
                result
            }
            Token::TagToken(tag) => self.process_tag(tag, line_number),
            other => self.inner.process_token(other, line_number),
        }
    }

    fn end(&self) {
        self.inner.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.inner
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Parses a document or fragment into a [`Dom`]. A fragment (a feed item's content) parsed as a
/// document lands in an implied `<body>`, which is exactly what we want.
fn parse(html: &str) -> Dom {
    let builder = TreeBuilder::new(Dom::new(), TreeBuilderOpts::default());
    let tokenizer = Tokenizer::new(TokenFilter::new(builder), TokenizerOpts::default());
    let input = BufferQueue::default();
    let mut rest = prefix(html, MAX_INPUT);
    while !rest.is_empty() {
        let chunk = prefix(rest, FEED_CHUNK);
        let Some(tail) = rest.get(chunk.len()..) else {
            break;
        };
        input.push_back(StrTendril::from_slice(chunk));
        rest = tail;
        // `Script` results ask the caller to run a script; we just carry on.
        while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    }
    tokenizer.end();
    tokenizer.sink.inner.sink
}

/// The longest prefix of `s` that is at most `max` bytes and ends on a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut cut = s.len().min(max);
    while !s.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    s.get(..cut).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Text extraction
// ---------------------------------------------------------------------------------------------

/// A whole document or a fragment (a feed item's content) → its text.
#[must_use]
pub fn page_text(html: &str) -> PageText {
    let dom = parse(html);
    let nodes = dom.nodes.into_inner();
    let canonical = find_canonical(&nodes);
    let root = find_root(&nodes);
    let mut out = TextBuilder::default();
    walk(&nodes, root, &mut out);
    let (text, source_lines) = out.finish();
    PageText {
        text,
        source_lines,
        canonical,
    }
}

fn is_dropped(node: &Node) -> bool {
    let Some(name) = node.element_name() else {
        return false;
    };
    DROPPED_ELEMENTS.contains(&name)
        || node.attr("role").is_some_and(|role| {
            role.split_ascii_whitespace()
                .any(|r| DROPPED_ROLES.iter().any(|d| r.eq_ignore_ascii_case(d)))
        })
}

fn has_class(node: &Node, class: &str) -> bool {
    node.attr("class")
        .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == class))
}

/// Whether [`traverse`] is arriving at a node or leaving it after its children.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Enter,
    Leave,
}

/// Visits every node under `root` in document order without recursion. On [`Step::Enter`],
/// `visit` returns whether to go into the node's children; a node that was gone into (even a
/// childless one) is visited again with [`Step::Leave`] after its children.
fn traverse(nodes: &[Node], root: Id, mut visit: impl FnMut(Step, Id, &Node) -> bool) {
    let mut id = root;
    'outer: loop {
        let Some(node) = nodes.get(id) else { return };
        if visit(Step::Enter, id, node) {
            if let Some(child) = node.first_child {
                id = child;
                continue;
            }
            visit(Step::Leave, id, node);
        }
        let mut at = id;
        loop {
            if at == root {
                break 'outer;
            }
            let Some(node) = nodes.get(at) else { return };
            if let Some(next) = node.next_sibling {
                id = next;
                continue 'outer;
            }
            let Some(parent) = node.parent else { return };
            if let Some(p) = nodes.get(parent) {
                visit(Step::Leave, parent, p);
            }
            at = parent;
        }
    }
}

/// The first `entry-content`, else the first `<article>`, else `<body>`, else the document —
/// looking only outside dropped elements.
fn find_root(nodes: &[Node]) -> Id {
    let (mut content, mut article, mut body) = (None, None, None);
    traverse(nodes, DOCUMENT, |step, id, node| {
        if step == Step::Leave || content.is_some() || is_dropped(node) {
            return false;
        }
        match node.element_name() {
            Some("article") if article.is_none() => article = Some(id),
            Some("body") if body.is_none() => body = Some(id),
            _ => {}
        }
        if has_class(node, "entry-content") {
            content = Some(id);
        }
        true
    });
    content.or(article).or(body).unwrap_or(DOCUMENT)
}

/// `<link rel="canonical">`, else `<meta property="og:url">`, each the first with a usable URL.
fn find_canonical(nodes: &[Node]) -> Option<String> {
    let (mut link, mut og) = (None, None);
    traverse(nodes, DOCUMENT, |step, _, node| {
        if step == Step::Leave {
            return false;
        }
        match node.element_name() {
            Some("link") if link.is_none() => {
                let is_canonical = node.attr("rel").is_some_and(|rel| {
                    rel.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                });
                if is_canonical {
                    link = node.attr("href").and_then(absolute_http_url);
                }
            }
            Some("meta")
                if og.is_none()
                    && node
                        .attr("property")
                        .is_some_and(|p| p.trim().eq_ignore_ascii_case("og:url")) =>
            {
                og = node.attr("content").and_then(absolute_http_url);
            }
            _ => {}
        }
        link.is_none()
    });
    link.or(og)
}

/// The URL trimmed, if it is an absolute `http://` or `https://` URL with a host and no inner
/// whitespace or control characters; relative, `javascript:` and junk values give `None`.
fn absolute_http_url(raw: &str) -> Option<String> {
    let url = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    let lower_prefix = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let after = if lower_prefix.starts_with("https://") {
        url.get(8..)?
    } else if lower_prefix.starts_with("http://") {
        url.get(7..)?
    } else {
        return None;
    };
    let host_len = after.find(['/', '?', '#']).unwrap_or(after.len());
    if host_len == 0 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some(url.to_owned())
}

/// Emits the text of the subtree at `root`.
fn walk(nodes: &[Node], root: Id, out: &mut TextBuilder) {
    traverse(nodes, root, |step, _, node| match (step, &node.kind) {
        (Step::Enter, NodeKind::Element { name, .. }) => {
            if is_dropped(node) {
                return false;
            }
            let name: &str = &name.local;
            if name == "br" {
                out.line_break(node.line);
            } else if BLOCK_ELEMENTS.contains(&name) {
                out.paragraph_break(node.line);
            }
            if PREFORMATTED_ELEMENTS.contains(&name) {
                out.pre_depth += 1;
            }
            true
        }
        (Step::Enter, NodeKind::Text(pieces)) => {
            for (text, line) in pieces {
                out.text(text, *line);
            }
            false
        }
        (Step::Enter, NodeKind::Document) => true,
        (Step::Enter, NodeKind::Other) => false,
        (Step::Leave, NodeKind::Element { name, .. }) => {
            let name: &str = &name.local;
            if PREFORMATTED_ELEMENTS.contains(&name) {
                out.pre_depth = out.pre_depth.saturating_sub(1);
            }
            if BLOCK_ELEMENTS.contains(&name) {
                // html5ever does not tell where an element ended, so a block's closing break
                // gets the line its text ended on.
                out.paragraph_break(node.line.max(out.last_src));
            }
            false
        }
        (Step::Leave, _) => false,
    });
}

fn is_html_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0C' | '\r')
}

/// Turns a stream of text, line breaks and paragraph breaks into the final layout. Lines are
/// collected first (a blank line is an empty one) and tidied in [`TextBuilder::finish`]: that
/// makes "two `<br>` in a row", "a `&nbsp;`-only line" and "blank lines in `<pre>`" all the same
/// thing — an empty line — which then separates paragraphs.
#[derive(Default)]
struct TextBuilder {
    lines: Vec<(String, usize)>,
    current: String,
    current_src: usize,
    /// Collapsed whitespace waiting to become one space before the next visible character.
    space: bool,
    /// Inside `<pre>`: whitespace waiting to be written before the next visible character
    /// (dropped if the line ends first, so no line gets trailing spaces).
    pre_space: String,
    pre_depth: usize,
    /// Source line of the last visible character written.
    last_src: usize,
}

impl TextBuilder {
    fn text(&mut self, text: &str, mut line: usize) {
        for c in text.chars() {
            if self.pre_depth > 0 {
                match c {
                    '\n' | '\r' => self.line_break(line),
                    ' ' | '\t' => self.pre_space.push(c),
                    '\x0C' => self.pre_space.push(' '),
                    _ => {
                        self.start_char(line);
                        self.current.push_str(&self.pre_space);
                        self.pre_space.clear();
                        self.current.push(c);
                    }
                }
            } else if is_html_ws(c) {
                self.space = !self.current.is_empty();
            } else {
                self.start_char(line);
                if self.space {
                    self.current.push(' ');
                }
                self.space = false;
                self.current.push(c);
            }
            if c == '\n' {
                line += 1;
            }
        }
    }

    fn start_char(&mut self, line: usize) {
        self.last_src = line;
        if self.current.is_empty() {
            self.current_src = line;
            self.space = false;
        }
    }

    /// Ends the current line (an empty one becomes a blank line).
    fn line_break(&mut self, line: usize) {
        let trimmed_len = self
            .current
            .trim_end_matches(|c: char| is_html_ws(c) || c == '\u{a0}')
            .len();
        self.current.truncate(trimmed_len);
        let src = if self.current.is_empty() {
            line
        } else {
            self.current_src
        };
        self.lines.push((std::mem::take(&mut self.current), src));
        self.space = false;
        self.pre_space.clear();
    }

    /// Ends the current line, if it has anything, and adds a blank line.
    fn paragraph_break(&mut self, line: usize) {
        if !self.current.is_empty() {
            self.line_break(line);
        }
        self.line_break(line);
    }

    /// Joins the lines: no blank line first or last, one blank line at most in a row.
    fn finish(mut self) -> (String, Vec<usize>) {
        if !self.current.is_empty() {
            self.line_break(self.current_src);
        }
        let mut text = String::new();
        let mut sources = Vec::new();
        let mut pending_blank: Option<usize> = None;
        for (line, src) in self.lines {
            if line.is_empty() {
                if !sources.is_empty() && pending_blank.is_none() {
                    pending_blank = Some(src);
                }
                continue;
            }
            if let Some(blank_src) = pending_blank.take() {
                text.push_str("\n\n");
                sources.push(blank_src);
            } else if !sources.is_empty() {
                text.push('\n');
            }
            text.push_str(&line);
            sources.push(src);
        }
        if sources.is_empty() {
            // "".split('\n') has one (empty) item, so there is one source line to give.
            sources.push(1);
        }
        (text, sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// 1-based line of the first occurrence of `needle` in `html` (test fixtures only).
    fn line_of(html: &str, needle: &str) -> usize {
        let at = html
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in fixture"));
        html[..at].matches('\n').count() + 1
    }

    /// The output as (source line, text line) pairs, checking the two lists agree in length.
    fn numbered(page: &PageText) -> Vec<(usize, &str)> {
        let lines: Vec<&str> = page.text.split('\n').collect();
        assert_eq!(lines.len(), page.source_lines.len(), "{page:#?}");
        page.source_lines.iter().copied().zip(lines).collect()
    }

    /// Invariants every output must keep, whatever the input.
    fn assert_well_formed(page: &PageText) {
        assert_eq!(page.text.split('\n').count(), page.source_lines.len());
        assert!(!page.text.starts_with('\n') && !page.text.ends_with('\n'));
        assert!(!page.text.contains("\n\n\n"));
        assert!(!page.text.contains('\r'));
        for line in page.text.split('\n') {
            assert_eq!(line, line.trim_end_matches([' ', '\t', '\u{c}', '\u{a0}']));
        }
        assert!(page.source_lines.iter().all(|&l| l >= 1));
    }

    const WORDPRESS: &str = r#"<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>Winter Harbor &#8211; Reel Notes</title>
<link rel="canonical" href="https://reelnotes.example/2019/05/winter-harbor/">
<style>.entry-content p { margin: 0 }</style>
<script>var menu = "<p>not review text</p>";</script>
</head>
<body class="post-template-default single">
<header id="masthead" class="site-header"><p class="site-title">Reel Notes</p></header>
<nav class="main-navigation"><ul><li><a href="/">Home</a></li><li>Reviews A-Z</li></ul></nav>
<div id="content" class="site-content">
<main id="main">
<article id="post-77" class="post type-post">
<header class="entry-header"><h1 class="entry-title">Winter Harbor</h1>
<span class="posted-on">May 3, 2019</span></header>
<div class="entry-content">
<p><strong>WINTER HARBOR</strong><br>
   A quiet drama from the north coast</p>
<p>It is a &#8220;slow&#8221; film &#8212; and proud of it.</p>
<p>The lead   gives a performance
of real restraint.<br>
GRADE: B-</p>
</div>
<footer class="entry-footer">Posted in <a href="/category/reviews/">Reviews</a></footer>
</article>
</main>
<aside id="secondary" class="widget-area"><section><h2>Recent Posts</h2>
<ul><li>The Paper Lantern</li></ul></section></aside>
</div>
<div role="contentinfo">Site info</div>
<footer id="colophon" class="site-footer">Proudly powered by a blog engine</footer>
</body>
</html>
"#;

    #[test]
    fn wordpress_post_keeps_only_the_entry_content() {
        let page = page_text(WORDPRESS);
        assert_well_formed(&page);
        let w = WORDPRESS;
        assert_eq!(
            numbered(&page),
            vec![
                (line_of(w, "<p><strong>WINTER"), "WINTER HARBOR"),
                (
                    line_of(w, "   A quiet"),
                    "A quiet drama from the north coast"
                ),
                (line_of(w, "   A quiet"), ""),
                (
                    line_of(w, "It is a"),
                    "It is a “slow” film — and proud of it."
                ),
                (line_of(w, "It is a"), ""),
                (
                    line_of(w, "The lead"),
                    "The lead gives a performance of real restraint."
                ),
                (line_of(w, "GRADE: B-"), "GRADE: B-"),
            ]
        );
        assert_eq!(
            page.canonical.as_deref(),
            Some("https://reelnotes.example/2019/05/winter-harbor/")
        );
        for chrome in [
            "Reel Notes",
            "Home",
            "Recent Posts",
            "Posted in",
            "Site info",
            "Proudly",
            "not review text",
            "margin",
            "May 3",
        ] {
            assert!(!page.text.contains(chrome), "{chrome:?} leaked: {page:#?}");
        }
    }

    #[test]
    fn article_is_the_root_when_there_is_no_entry_content() {
        let html = "<body><nav>Menu</nav><p>Site blurb</p>\
                    <article><header>Byline</header><p>Review body.</p></article>\
                    <p>After</p></body>";
        assert_eq!(page_text(html).text, "Review body.");
    }

    #[test]
    fn root_is_not_taken_from_a_dropped_region() {
        let html = "<body><aside><div class=\"entry-content\">Widget text</div></aside>\
                    <div class=\"post entry-content extra\"><p>The real review.</p></div></body>";
        assert_eq!(page_text(html).text, "The real review.");
    }

    #[test]
    fn body_is_the_root_otherwise_and_roles_are_dropped() {
        let html = "<body><div role=\"navigation\">Prev | Next</div>\
                    <div role=\"banner main\">Big banner</div>\
                    <p>Capsule one.</p><div ROLE=\"Complementary\">Ads</div>\
                    <form><p>Search this site</p><button>Go</button></form><p>Capsule two.</p></body>";
        assert_eq!(page_text(html).text, "Capsule one.\n\nCapsule two.");
    }

    /// An old letter page as the critic's editor saved it: windows-1252, unclosed `<p>`, a
    /// header wrapped with `<br>`, `&nbsp;` after a colon, index links at the bottom.
    fn letter_page_bytes() -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(
            b"<html>\r\n\
<head>\r\n\
<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\r\n\
<title>Reviews, Summer 2004</title>\r\n\
</head>\r\n\
<body bgcolor=\"#FFFFFF\">\r\n\
<center><font size=\"+2\">REVIEWS, SUMMER 2004</font></center>\r\n\
<p>WINTER HARBOR (director: Ada Lind; screenwriter: Ada Lind; cinematographer: Oskar Vale;<br>\r\n\
 cast: Mira Holt, Tom Reyes; Runtime:&nbsp;97; MPAA Rating: PG-13; 2003) Reviewed on 7/21/2004.\r\n\
<p>A quiet harbor-town drama that never quite finds its tide; the caf",
        );
        bytes.push(0xE9); // é in windows-1252
        bytes.extend_from_slice(
            b" scenes are the best of it. GRADE: B-\r\n\
\r\n\
<p>THE PAPER LANTERN (director: Jon Ekberg; cast: Lise Moreau;\r\n\
Runtime:&nbsp;104; 2004) Reviewed on 7/23/2004.\r\n\
<p>Handsome and hollow, with a score that will not stop explaining itself. GRADE: C\r\n\
<p><a href=\"index.htm\">Back to the index</a> | <a href=\"../index.htm\">Home</a>\r\n\
</body>\r\n\
</html>\r\n",
        );
        bytes
    }

    #[test]
    fn old_letter_page_in_windows_1252() {
        let bytes = letter_page_bytes();
        let (html, encoding) = decode_page(&bytes);
        assert_eq!(encoding, encoding_rs::WINDOWS_1252);
        assert!(html.contains("café"));
        let page = page_text(&html);
        assert_well_formed(&page);
        assert_eq!(page.canonical, None);
        assert_eq!(
            numbered(&page),
            vec![
                (7, "REVIEWS, SUMMER 2004"),
                (7, ""),
                (
                    8,
                    "WINTER HARBOR (director: Ada Lind; screenwriter: Ada Lind; \
                     cinematographer: Oskar Vale;"
                ),
                (
                    9,
                    "cast: Mira Holt, Tom Reyes; Runtime:\u{a0}97; MPAA Rating: PG-13; 2003) \
                     Reviewed on 7/21/2004."
                ),
                (9, ""),
                (
                    10,
                    "A quiet harbor-town drama that never quite finds its tide; \
                     the café scenes are the best of it. GRADE: B-"
                ),
                (10, ""),
                (
                    12,
                    "THE PAPER LANTERN (director: Jon Ekberg; cast: Lise Moreau; \
                     Runtime:\u{a0}104; 2004) Reviewed on 7/23/2004."
                ),
                (13, ""),
                (
                    14,
                    "Handsome and hollow, with a score that will not stop explaining itself. \
                     GRADE: C"
                ),
                (14, ""),
                (15, "Back to the index | Home"),
            ]
        );
    }

    // ----- decoding ----------------------------------------------------------------------

    #[test]
    fn meta_charset_utf8() {
        let bytes = "<html><head><meta charset=\"utf-8\"></head><body>Café</body>".as_bytes();
        let (text, encoding) = decode_page(bytes);
        assert_eq!(encoding, encoding_rs::UTF_8);
        assert!(text.ends_with("Café</body>"));
    }

    #[test]
    fn byte_order_marks_win_over_declarations() {
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend_from_slice("<meta charset=windows-1252><p>Café".as_bytes());
        let (text, encoding) = decode_page(&utf8);
        assert_eq!(encoding, encoding_rs::UTF_8);
        assert_eq!(text, "<meta charset=windows-1252><p>Café");

        let mut utf16le = vec![0xFF, 0xFE];
        for unit in "<p>Café".encode_utf16() {
            utf16le.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, encoding) = decode_page(&utf16le);
        assert_eq!(encoding, encoding_rs::UTF_16LE);
        assert_eq!(text, "<p>Café");

        let mut utf16be = vec![0xFE, 0xFF];
        for unit in "<p>Café".encode_utf16() {
            utf16be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(
            decode_page(&utf16be),
            ("<p>Café".to_owned(), encoding_rs::UTF_16BE)
        );
    }

    #[test]
    fn no_declaration_valid_utf8_is_utf8_invalid_is_windows_1252() {
        let (text, encoding) = decode_page("<p>Caf\u{e9} “x”".as_bytes());
        assert_eq!(
            (text.as_str(), encoding),
            ("<p>Café “x”", encoding_rs::UTF_8)
        );

        let (text, encoding) = decode_page(b"<p>Caf\xE9 \x93x\x94");
        assert_eq!(encoding, encoding_rs::WINDOWS_1252);
        assert_eq!(text, "<p>Café “x”");
    }

    #[test]
    fn declared_utf8_that_is_not_utf8_is_read_as_windows_1252() {
        let (text, encoding) = decode_page(b"<meta charset=\"UTF-8\"><p>Caf\xE9");
        assert_eq!(encoding, encoding_rs::WINDOWS_1252);
        assert_eq!(text, "<meta charset=\"UTF-8\"><p>Café");
    }

    #[test]
    fn declaration_after_the_first_1024_bytes_is_not_seen() {
        let mut late = b"<html><!--".to_vec();
        late.extend_from_slice(&[b'x'; 1100]);
        late.extend_from_slice(b"--><meta charset=\"koi8-r\"><p>Caf\xE9");
        let (text, encoding) = decode_page(&late);
        assert_eq!(encoding, encoding_rs::WINDOWS_1252);
        assert!(text.ends_with("Café"));

        // The same declaration early enough is honoured.
        let early = b"<html><meta charset=\"koi8-r\"><p>Caf\xE9";
        assert_eq!(decode_page(early).1, encoding_rs::KOI8_R);
    }

    #[test]
    fn http_equiv_content_type_iso_8859_1_means_windows_1252() {
        // Upper-case names, unquoted values, odd spacing: all as browsers accept them.
        let bytes =
            b"<HTML><HEAD><META HTTP-EQUIV=Content-Type CONTENT='text/html;charset = ISO-8859-1'>\
                      </HEAD><BODY>\x93Quoted\x94</BODY>";
        let (text, encoding) = decode_page(bytes);
        assert_eq!(encoding, encoding_rs::WINDOWS_1252);
        assert!(text.contains("“Quoted”"));
    }

    #[test]
    fn prescan_corner_cases() {
        // `content` without http-equiv does not count.
        assert_eq!(
            decode_page(b"<meta content=\"text/html; charset=koi8-r\"><p>\xE9").1,
            encoding_rs::WINDOWS_1252
        );
        // A declaration inside a comment or an attribute value does not count.
        assert_eq!(
            decode_page(b"<!-- <meta charset=koi8-r> --><p>\xE9").1,
            encoding_rs::WINDOWS_1252
        );
        assert_eq!(
            decode_page(b"<img alt='<meta charset=koi8-r>'><p>\xE9").1,
            encoding_rs::WINDOWS_1252
        );
        // A declared UTF-16 label means UTF-8.
        assert_eq!(
            decode_page("<meta charset=utf-16le><p>é".as_bytes()).1,
            encoding_rs::UTF_8
        );
        // An unknown label is ignored.
        assert_eq!(
            decode_page(b"<meta charset=no-such-thing><p>\xE9").1,
            encoding_rs::WINDOWS_1252
        );
        // A "replacement" label is ignored rather than blanking the page.
        let (text, encoding) = decode_page(b"<meta charset=iso-2022-kr><p>plain");
        assert_eq!(encoding, encoding_rs::UTF_8);
        assert!(text.ends_with("plain"));
        // Truncated tags never panic.
        for cut in [
            b"<meta".as_slice(),
            b"<meta charset=\"",
            b"<meta a",
            b"<!--",
            b"<",
            b"</",
        ] {
            let _ = decode_page(cut);
        }
    }

    // ----- layout --------------------------------------------------------------------------

    #[test]
    fn pre_keeps_line_breaks_and_leading_spaces() {
        let html = [
            "<html><body>",
            "<pre>",
            "WINTER HARBOR (director: Ada Lind; screenwriter: Ada Lind;",
            " cinematographer: Oskar Vale; cast: Mira Holt; 2003)   ",
            "",
            "",
            "   ",
            "A quiet harbor-town drama   that never",
            "quite finds its tide. GRADE: B-",
            "",
            "THE PAPER LANTERN (director: Jon Ekberg; cast: Lise Moreau;",
            "\tRuntime: 104; 2004)",
            "</pre>",
            "<p>Index</p>",
            "</body></html>",
        ]
        .join("\n");
        let html = html.as_str();
        let page = page_text(html);
        assert_well_formed(&page);
        let l = |needle| line_of(html, needle);
        assert_eq!(
            numbered(&page),
            vec![
                (
                    l("WINTER"),
                    "WINTER HARBOR (director: Ada Lind; screenwriter: Ada Lind;"
                ),
                (
                    l(" cinematographer"),
                    " cinematographer: Oskar Vale; cast: Mira Holt; 2003)"
                ),
                (l(" cinematographer") + 1, ""),
                (l("A quiet"), "A quiet harbor-town drama   that never"),
                (l("quite"), "quite finds its tide. GRADE: B-"),
                (l("quite") + 1, ""),
                (
                    l("THE PAPER"),
                    "THE PAPER LANTERN (director: Jon Ekberg; cast: Lise Moreau;"
                ),
                (l("\tRuntime"), "\tRuntime: 104; 2004)"),
                // A block's closing break gets the line its text ended on.
                (l("\tRuntime"), ""),
                (l("<p>Index"), "Index"),
            ]
        );
    }

    #[test]
    fn br_is_a_line_break_and_two_in_a_row_a_paragraph_break() {
        let html = "<p>one<br>two<br>   three<br><br>four<br> \n <br>\n<br>five<br>six</p>";
        let page = page_text(html);
        assert_eq!(page.text, "one\ntwo\nthree\n\nfour\n\nfive\nsix");
        assert_eq!(page.source_lines, vec![1, 1, 1, 1, 1, 2, 3, 3]);
    }

    #[test]
    fn whitespace_collapses_and_entities_decode() {
        let html =
            "<div>  Tabs\tand\n\n   newlines   collapse,\r\n&nbsp;but&nbsp;&nbsp;nbsp stays;\
                    <b>bold</b><i> italic </i>end. &eacute;&#233;&#xE9; &#8220;q&#8221; &amp;amp; \
                    &#147;cp1252&#148; &lt;tag&gt; &hellip;   </div>";
        let page = page_text(html);
        assert_eq!(
            page.text,
            "Tabs and newlines collapse, \u{a0}but\u{a0}\u{a0}nbsp stays;bold italic end. \
             ééé “q” &amp; “cp1252” <tag> …"
        );
        assert_eq!(page.source_lines, vec![1]);
    }

    #[test]
    fn nbsp_is_kept_inside_and_at_the_start_and_trimmed_at_the_end() {
        let page = page_text("<p>&nbsp;&nbsp;Indented&nbsp;</p><p>&nbsp;</p><p>Next&nbsp; </p>");
        assert_eq!(page.text, "\u{a0}\u{a0}Indented\n\nNext");
        // A line of nothing but &nbsp; is blank, so it separates paragraphs.
        let page = page_text("<p>Header line<br>&nbsp;<br>Body line</p>");
        assert_eq!(page.text, "Header line\n\nBody line");
    }

    #[test]
    fn script_style_and_other_code_are_dropped() {
        let html = "<body><script>document.write('<p>gone</p>')</script><style>p{}</style>\
                    <p>Kept <noscript>no js</noscript>text.</p><template><p>tpl</p></template>\
                    <svg><text>svg text</text></svg><iframe>frame</iframe><select><option>opt\
                    </option></select><canvas>cv</canvas><textarea>ta</textarea></body>";
        assert_eq!(page_text(html).text, "Kept text.");
    }

    #[test]
    fn blocks_separate_paragraphs_and_inline_elements_do_not() {
        let html = "<body>Loose text<div>In a <span>div</span></div><h2>A heading</h2>\
                    <ul><li>First</li><li>Second</li></ul><blockquote>Quoted</blockquote>\
                    <table><tr><td>Cell one</td><td>Cell two</td></tr></table>after<hr>end</body>";
        assert_eq!(
            page_text(html).text,
            "Loose text\n\nIn a div\n\nA heading\n\nFirst\n\nSecond\n\nQuoted\n\n\
             Cell one\n\nCell two\n\nafter\n\nend"
        );
    }

    #[test]
    fn crlf_and_lone_cr_count_as_one_line_each() {
        // Old Mac pages end lines with a lone CR; editors count it as a line end, so do we.
        let html = "<p>first\r\nsecond</p>\r\n<p>third<br>\rfourth</p>";
        let page = page_text(html);
        assert_eq!(page.text, "first second\n\nthird\nfourth");
        assert_eq!(page.source_lines, vec![1, 2, 3, 4]);
    }

    #[test]
    fn source_lines_follow_multi_line_text_runs() {
        // A long run of text with many newlines comes from the tokenizer as one token; each
        // output line must still map to its own source line.
        let mut html = String::from("<pre>");
        for i in 1..=50 {
            html.push_str(&format!("line {i}\n"));
        }
        html.push_str("</pre>");
        let page = page_text(&html);
        let expected: Vec<usize> = (1..=50).collect();
        assert_eq!(page.source_lines, expected);
        assert!(page.text.starts_with("line 1\nline 2\n"));
    }

    #[test]
    fn empty_and_textless_inputs() {
        for html in [
            "",
            "   \n\n",
            "<html><head><title>x</title></head><body> </body></html>",
        ] {
            let page = page_text(html);
            assert_eq!(page.text, "");
            assert_eq!(page.source_lines, vec![1]);
            assert_well_formed(&page);
        }
    }

    // ----- canonical -----------------------------------------------------------------------

    #[test]
    fn canonical_from_link_then_og_url() {
        let both = "<head><meta property=\"og:url\" content=\"https://a.example/og\">\
                    <link rel=\"Canonical\" href=\"  https://a.example/canon?p=1  \"></head>";
        assert_eq!(
            page_text(both).canonical.as_deref(),
            Some("https://a.example/canon?p=1")
        );
        let og_only = "<head><meta property=\"og:url\" content=\" http://a.example/og \"></head>";
        assert_eq!(
            page_text(og_only).canonical.as_deref(),
            Some("http://a.example/og")
        );
        let multi_rel = "<link rel=\"alternate canonical\" href=\"HTTPS://A.example/x\">";
        assert_eq!(
            page_text(multi_rel).canonical.as_deref(),
            Some("HTTPS://A.example/x")
        );
    }

    #[test]
    fn relative_or_script_canonicals_are_ignored() {
        let relative = "<link rel=\"canonical\" href=\"/2019/05/winter-harbor/\">\
                        <meta property=\"og:url\" content=\"https://a.example/fallback\">";
        assert_eq!(
            page_text(relative).canonical.as_deref(),
            Some("https://a.example/fallback")
        );
        for bad in [
            "<link rel=\"canonical\" href=\"javascript:alert(1)\">",
            "<link rel=\"canonical\" href=\"//a.example/x\">",
            "<link rel=\"canonical\" href=\"https://\">",
            "<link rel=\"canonical\" href=\"https://a.example/with space\">",
            "<link rel=\"stylesheet\" href=\"https://a.example/style.css\">",
            "<meta property=\"og:url\" content=\"ftp://a.example/x\">",
            "<meta name=\"description\" content=\"https://a.example/x\">",
        ] {
            assert_eq!(page_text(bad).canonical, None, "{bad}");
        }
    }

    // ----- fragments -------------------------------------------------------------------------

    #[test]
    fn feed_fragment_without_html_or_body() {
        let fragment = "<p><strong>THE PAPER LANTERN</strong><br />\n\
                        A film about a lamp-maker</p>\n\
                        <p>It is &#8220;handsome&#8221; and hollow.</p>\n\
                        <p>GRADE: C</p>\n";
        let page = page_text(fragment);
        assert_eq!(
            numbered(&page),
            vec![
                (1, "THE PAPER LANTERN"),
                (2, "A film about a lamp-maker"),
                (2, ""),
                (3, "It is “handsome” and hollow."),
                (3, ""),
                (4, "GRADE: C"),
            ]
        );
        assert_eq!(page.canonical, None);
        // Bare text is a fragment too.
        assert_eq!(page_text("just text &amp; more").text, "just text & more");
    }

    // ----- robustness ------------------------------------------------------------------------

    /// Runs `page_text` and fails the test if it takes absurdly long. The bound is loose (a
    /// shared 2-core machine, debug build); quadratic behaviour would take minutes.
    fn timed(html: &str) -> PageText {
        let start = Instant::now();
        let page = page_text(html);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(60), "took {took:?}");
        assert_well_formed(&page);
        page
    }

    #[test]
    fn deeply_nested_divs_finish_without_overflow() {
        let n = 100_000;
        let html = format!("{}deep text{}", "<div>".repeat(n), "</div>".repeat(n));
        assert_eq!(timed(&html).text, "deep text");
    }

    #[test]
    fn nesting_beyond_the_cap_keeps_all_text_in_order() {
        let mut html = String::new();
        for i in 0..2 * MAX_DEPTH {
            html.push_str(&format!("<div>d{i}"));
        }
        html.push_str(&"</div>".repeat(2 * MAX_DEPTH));
        html.push_str("<p>after</p>");
        let page = timed(&html);
        let texts: Vec<&str> = page.text.split("\n\n").collect();
        let mut expected: Vec<String> = (0..2 * MAX_DEPTH).map(|i| format!("d{i}")).collect();
        expected.push("after".to_owned());
        assert_eq!(texts, expected);
    }

    #[test]
    fn big_page_and_unclosed_tags_finish() {
        let line = "A quiet harbor-town drama that never quite finds its tide, again and again.\n";
        let big = format!("<p>{}", line.repeat(5 * 1024 * 1024 / line.len()));
        let page = timed(&big);
        assert_eq!(page.source_lines.len(), 1);
        assert!(page.text.len() > 5_000_000);

        let unclosed =
            "<p><font size=2><b><i><table><tr><td><a href=x><center>text ".repeat(20_000);
        let page = timed(&unclosed);
        assert!(page.text.contains("text"));

        let formatting = "<b><i><u><font color=red>x".repeat(30_000);
        timed(&formatting);

        let open_comment = format!("<p>before<!-- {}", "never closed ".repeat(100_000));
        assert_eq!(timed(&open_comment).text, "before");

        let open_script = format!("<p>before<script>{}", "x < y && ".repeat(100_000));
        assert_eq!(timed(&open_script).text, "before");
    }

    #[test]
    fn tag_soup_never_panics() {
        // A deterministic stream of nasty fragments, glued at random.
        let pieces = [
            "<",
            ">",
            "</",
            "<p>",
            "</p>",
            "<br>",
            "<pre>",
            "</pre>",
            "<table>",
            "<td>",
            "<tr>",
            "</table>",
            "<div class=entry-content>",
            "<article>",
            "</div>",
            "&",
            "&#",
            "&#x",
            "&#1234567890;",
            "&nbsp",
            "&amp;",
            "\n",
            "\r",
            "\r\n",
            " ",
            "\u{a0}",
            "é",
            "💡",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "<script>",
            "</script>",
            "<style>",
            "<svg>",
            "<math>",
            "<select>",
            "<option>",
            "<template>",
            "</template>",
            "<frameset>",
            "<plaintext>",
            "<xmp>",
            "<textarea>",
            "<title>",
            "<head>",
            "<body>",
            "<html>",
            "<b>",
            "</b>",
            "<a href=",
            "\"",
            "'",
            "=",
            "<nav>",
            "<header role=banner>",
            "<link rel=canonical href=http://x.example/>",
            "\0",
            "\u{c}",
            "\t",
            "<li>",
            "<dd>",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _round in 0..200 {
            let mut html = String::new();
            for _ in 0..400 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                html.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            timed(&html);
        }
    }
}
