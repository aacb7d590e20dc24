//! The critic's posts as marquee sees them: one [`Item`] shape for the two ways a WordPress site
//! publishes them, its feed (RSS 2.0 or Atom, parsed by feed-rs) and its REST API
//! (`/wp-json/wp/v2/posts`, parsed with serde_json).
//!
//! Polling reads the feed and backfilling may read the API, so the same post must come out with
//! the same [`Item::key`] both ways, or it would be imported twice. WordPress writes a post's
//! `guid` into the RSS `<guid>` and into the API's `guid.rendered`, so the guid is the key.
//!
//! Titles and guids in HTML are read by [`crate::page::html`], as the posts are.

use chrono::{DateTime, NaiveDateTime, Utc};
use feed_rs::model::{Entry, Link, Text};
use serde::Deserialize;

/// One post of the critic's site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// How marquee knows the item: its guid (RSS) / id (Atom); else its link; else its title
    /// and date (`"title|2024-05-01T10:00:00+00:00"`, or `"title|"` without a date). Never
    /// empty: an item with none of these is skipped and reported (see [`Parsed::skipped`]).
    pub key: String,
    /// The post's address (RSS `<link>`, Atom `link rel="alternate"` or else the first link;
    /// the API's `link`), as normalised by the `url` crate so both sources spell it alike.
    pub link: Option<String>,
    /// Plain text: HTML titles (Atom `type="html"`, the API's `title.rendered`) lose their tags
    /// and have their character references decoded, as an RSS title already has.
    pub title: Option<String>,
    /// Published (else updated) time.
    pub published: Option<DateTime<Utc>>,
    /// The post's HTML: RSS `content:encoded` / Atom `<content>` / the API's
    /// `content.rendered`; else the RSS description / Atom summary; else empty. Plain-text
    /// content (Atom `type="text"`) is escaped, so this is always HTML. Trimmed: WordPress ends
    /// both `content:encoded` and `content.rendered` with a newline, other feeds pad CDATA.
    pub html: String,
}

/// An entry that gave no [`Item`], and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its position in the feed or the API's array, from 0.
    pub index: usize,
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entry {} skipped: {}", self.index + 1, self.reason)
    }
}

/// What a feed or an API page gave: its items, in document order, and the entries skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub items: Vec<Item>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// feed-rs found no RSS/Atom (or JSON Feed) document: an HTML page, garbage, an empty body.
    #[error("not an RSS or Atom feed: {cause}")]
    NotAFeed { cause: String },
    /// The body is not JSON, or not the array of posts `/wp-json/wp/v2/posts` returns.
    #[error("not a WordPress post list: {cause}")]
    NotPosts { cause: String },
    /// WordPress answered with its error object (`{"code": …, "message": …}`) instead of posts.
    #[error("WordPress answered with an error instead of posts: {message} ({code})")]
    WordPress { code: String, message: String },
}

/// The items of an RSS or Atom feed; entries without any key are logged (`tracing::warn!`) and
/// left out. [`parse_feed_report`] returns them instead.
pub fn parse_feed(bytes: &[u8]) -> Result<Vec<Item>, FeedError> {
    Ok(warn_skipped(parse_feed_report(bytes)?))
}

/// The items of the JSON array `/wp-json/wp/v2/posts` returns; posts left out are logged
/// (`tracing::warn!`). [`parse_wp_posts_report`] returns them instead.
pub fn parse_wp_posts(bytes: &[u8]) -> Result<Vec<Item>, FeedError> {
    Ok(warn_skipped(parse_wp_posts_report(bytes)?))
}

fn warn_skipped(parsed: Parsed) -> Vec<Item> {
    for skipped in &parsed.skipped {
        tracing::warn!("{skipped}");
    }
    parsed.items
}

/// Like [`parse_feed`], with the skipped entries.
///
/// The bytes go to feed-rs undecoded: it reads the encoding from the XML prolog itself.
pub fn parse_feed_report(bytes: &[u8]) -> Result<Parsed, FeedError> {
    // feed-rs makes up an id (a hash of link and title, or a random UUID) for an entry without
    // one; a made-up id would hide that there was no guid and, being random, could not
    // identify the post on the next poll. An empty one lets `entry_key` fall back itself.
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_links, _title, _uri| String::new())
        .build();
    let feed = parser.parse(bytes).map_err(|err| FeedError::NotAFeed {
        cause: err.to_string(),
    })?;

    let mut parsed = Parsed::default();
    for (index, entry) in feed.entries.iter().enumerate() {
        let link = entry_link(&entry.links);
        let title = entry.title.as_ref().and_then(text_to_plain);
        let published = entry.published.or(entry.updated);
        match item_key(&entry.id, link.as_deref(), title.as_deref(), published) {
            Some(key) => parsed.items.push(Item {
                key,
                link,
                title,
                published,
                html: entry_html(entry),
            }),
            None => parsed.skipped.push(Skipped {
                index,
                reason: "it has no guid/id, no link and no title".to_string(),
            }),
        }
    }
    Ok(parsed)
}

/// The key rule of [`Item::key`], shared by both sources so they agree.
fn item_key(
    id: &str,
    link: Option<&str>,
    title: Option<&str>,
    published: Option<DateTime<Utc>>,
) -> Option<String> {
    let id = id.trim();
    if !id.is_empty() {
        return Some(id.to_string());
    }
    if let Some(link) = link.filter(|l| !l.is_empty()) {
        return Some(link.to_string());
    }
    let title = title.filter(|t| !t.is_empty())?;
    let date = published.map(|d| d.to_rfc3339()).unwrap_or_default();
    Some(format!("{title}|{date}"))
}

/// The post's own address: Atom's `rel="alternate"` (feed-rs gives a link without `rel` that
/// value), else RSS's `<link>` (no `rel`, no target), else the first link that is not RSS's
/// `<comments>`/`wfw:commentRss` (those have a target), so a comments page never stands in for
/// the post.
fn entry_link(links: &[Link]) -> Option<String> {
    links
        .iter()
        .find(|l| l.rel.as_deref() == Some("alternate"))
        .or_else(|| links.iter().find(|l| l.rel.is_none() && l.target.is_none()))
        .or_else(|| links.iter().find(|l| l.target.is_none()))
        .map(|l| l.href.trim().to_string())
        .filter(|href| !href.is_empty())
}

fn entry_html(entry: &Entry) -> String {
    if let Some(content) = &entry.content {
        if let Some(body) = content.body.as_deref().filter(|b| !b.trim().is_empty()) {
            return as_html(body, content.content_type.as_ref());
        }
    }
    match &entry.summary {
        Some(summary) if !summary.content.trim().is_empty() => {
            as_html(&summary.content, summary.content_type.as_ref())
        }
        _ => String::new(),
    }
}

/// feed-rs hands back Atom `type="text"` content as is; the importer expects HTML, in which a
/// literal `<` or `&` would mean something else.
fn as_html(body: &str, media_type: &str) -> String {
    if media_type.starts_with("text/plain") {
        escape_html(body.trim())
    } else {
        body.trim().to_string()
    }
}

fn text_to_plain(text: &Text) -> Option<String> {
    let media_type: &str = text.content_type.as_ref();
    let plain = if media_type.starts_with("text/html") || media_type.contains("xhtml") {
        html_to_plain(&text.content)
    } else {
        text.content.trim().to_string()
    };
    Some(plain).filter(|t| !t.is_empty())
}

/// `guid`, `title` and `content` of a post in the API's answer: objects with `rendered`.
#[derive(Deserialize)]
struct Rendered {
    #[serde(default)]
    rendered: Option<String>,
}

#[derive(Deserialize)]
struct RenderedContent {
    #[serde(default)]
    rendered: Option<String>,
    /// True for a password-protected post, whose `rendered` WordPress leaves empty.
    #[serde(default)]
    protected: bool,
}

/// The fields marquee reads of a post; WordPress sends many more, which serde ignores.
#[derive(Deserialize)]
struct WpPost {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    guid: Option<Rendered>,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    title: Option<Rendered>,
    #[serde(default)]
    date_gmt: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    content: Option<RenderedContent>,
}

/// Like [`parse_wp_posts`], with the posts left out.
///
/// A post is left out (and reported) when it has no `content.rendered` (an API that was asked
/// for other `_fields`, or a plugin that removed it) or is password-protected (`protected:
/// true`, sent with an empty rendering): there is no review text to import, and importing it
/// anyway would announce a blank review, then never fix it, since the key is already known.
/// A post whose content is present but empty is kept, as an empty feed item is. A post that is
/// not an object of the expected shape (say `title` a string) is left out too, rather than
/// failing the whole page.
///
/// `date_gmt` is UTC without an offset. `date` is the site's local time, also without an
/// offset, so it is read as UTC only when `date_gmt` is missing, null or WordPress's
/// `0000-00-00…` (hours off on a site not on UTC, but no post is lost for it).
pub fn parse_wp_posts_report(bytes: &[u8]) -> Result<Parsed, FeedError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|err| FeedError::NotPosts {
            cause: format!("not JSON: {err}"),
        })?;
    let posts = match value {
        serde_json::Value::Array(posts) => posts,
        serde_json::Value::Object(object) => {
            let field = |name: &str| {
                object
                    .get(name)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            return Err(match (field("code"), field("message")) {
                (Some(code), message) => FeedError::WordPress {
                    message: message.unwrap_or_else(|| "(no message)".to_string()),
                    code,
                },
                _ => FeedError::NotPosts {
                    cause: "a JSON object where an array of posts was expected".to_string(),
                },
            });
        }
        other => {
            return Err(FeedError::NotPosts {
                cause: format!(
                    "JSON {} where an array of posts was expected",
                    json_kind(&other)
                ),
            })
        }
    };

    let mut parsed = Parsed::default();
    for (index, value) in posts.into_iter().enumerate() {
        match wp_post_item(value) {
            Ok(item) => parsed.items.push(item),
            Err(reason) => parsed.skipped.push(Skipped { index, reason }),
        }
    }
    Ok(parsed)
}

fn wp_post_item(value: serde_json::Value) -> Result<Item, String> {
    let post = WpPost::deserialize(value).map_err(|err| format!("not a post: {err}"))?;
    let name = match &post.id {
        Some(id) => format!("post {id}"),
        None => "the post".to_string(),
    };
    let html = match post.content {
        Some(RenderedContent {
            protected: true, ..
        }) => return Err(format!("{name} is password-protected")),
        Some(RenderedContent {
            rendered: Some(html),
            ..
        }) => html.trim().to_string(),
        _ => return Err(format!("{name} has no content.rendered")),
    };

    // WordPress escapes `&` in a stored guid as `&#038;` in places; the RSS `<guid>` is decoded
    // by the XML parser, so decoding here keeps the two keys equal.
    let guid = post
        .guid
        .and_then(|g| g.rendered)
        .map(|g| html_to_plain(&g))
        .unwrap_or_default();
    let link = post
        .link
        .map(|l| normalize_url(l.trim()))
        .filter(|l| !l.is_empty());
    let title = post
        .title
        .and_then(|t| t.rendered)
        .map(|t| html_to_plain(&t))
        .filter(|t| !t.is_empty());
    let published = post
        .date_gmt
        .as_deref()
        .and_then(parse_wp_date)
        .or_else(|| post.date.as_deref().and_then(parse_wp_date));

    let key = item_key(&guid, link.as_deref(), title.as_deref(), published)
        .ok_or_else(|| format!("{name} has no guid, no link and no title"))?;
    Ok(Item {
        key,
        link,
        title,
        published,
        html,
    })
}

/// The `url` crate's spelling of an absolute URL, as feed-rs gives a feed's links (it parses
/// them with `url` too); anything it cannot parse is kept as written.
fn normalize_url(link: &str) -> String {
    url::Url::parse(link)
        .map(String::from)
        .unwrap_or_else(|_| link.to_string())
}

/// WordPress's `2024-05-01T10:00:00` (no offset: UTC for `date_gmt`); an RFC 3339 time with an
/// offset is accepted too. `0000-00-00T00:00:00` (an unscheduled draft) is no time.
fn parse_wp_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|naive| naive.and_utc())
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A title's (or a guid's) HTML as one line of text: tags dropped and character references
/// decoded by the same HTML reader as the posts themselves, white space collapsed.
fn html_to_plain(html: &str) -> String {
    crate::page::html::page_text(html)
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }

    /// Shaped like WordPress's `/feed/`: namespaces, `<comments>` and `wfw:commentRss` links
    /// beside the post's own, a texturized title, the full post in CDATA.
    const WORDPRESS_RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
	<title>Reel Notes</title>
	<atom:link href="https://site.example/feed/" rel="self" type="application/rss+xml" />
	<link>https://site.example</link>
	<description>Films, mostly</description>
	<item>
		<title>Don&#8217;t Look Now &#038; the Venice winter</title>
		<link>https://site.example/2024/05/01/dont-look-now/</link>
		<comments>https://site.example/2024/05/01/dont-look-now/#respond</comments>
		<dc:creator><![CDATA[Ada]]></dc:creator>
		<pubDate>Wed, 01 May 2024 10:00:00 +0000</pubDate>
		<guid isPermaLink="false">https://site.example/?p=123</guid>
		<description><![CDATA[A red coat in the fog [&#8230;]]]></description>
		<content:encoded><![CDATA[<p>The red coat keeps <em>vanishing</em> &amp; returning; Roeg cuts like a man &lt;afraid&gt; of linear time.</p>
<p>&#9733;&#9733;&#9733;&#9733;</p>]]></content:encoded>
		<wfw:commentRss>https://site.example/2024/05/01/dont-look-now/feed/</wfw:commentRss>
		<slash:comments>0</slash:comments>
	</item>
</channel>
</rss>"#;

    /// What `/wp-json/wp/v2/posts` answers for the same post (with a field marquee ignores).
    const WORDPRESS_JSON: &str = r#"[{"id":123,"date":"2024-05-01T12:00:00","date_gmt":"2024-05-01T10:00:00",
        "guid":{"rendered":"https:\/\/site.example\/?p=123"},"modified_gmt":"2024-05-02T08:00:00",
        "slug":"dont-look-now","status":"publish","type":"post",
        "link":"https:\/\/site.example\/2024\/05\/01\/dont-look-now\/",
        "title":{"rendered":"Don&#8217;t Look Now &#038; the Venice winter"},
        "content":{"rendered":"<p>The red coat keeps <em>vanishing<\/em> &amp; returning.<\/p>\n","protected":false},
        "excerpt":{"rendered":"<p>A red coat<\/p>","protected":false},
        "categories":[4],"meta":{"footnotes":""}}]"#;

    #[test]
    fn wordpress_rss_item() {
        let items = parse_feed(WORDPRESS_RSS.as_bytes()).unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item.key, "https://site.example/?p=123");
        assert_eq!(
            item.link.as_deref(),
            Some("https://site.example/2024/05/01/dont-look-now/")
        );
        assert_eq!(
            item.title.as_deref(),
            Some("Don\u{2019}t Look Now & the Venice winter")
        );
        assert_eq!(item.published, Some(utc(2024, 5, 1, 10, 0)));
        // content:encoded wins over the description; CDATA keeps the HTML's own escapes.
        assert!(item.html.starts_with(
            "<p>The red coat keeps <em>vanishing</em> &amp; returning; Roeg cuts like a man &lt;afraid&gt;"
        ));
        assert!(item.html.ends_with("<p>&#9733;&#9733;&#9733;&#9733;</p>"));
    }

    #[test]
    fn rss_guid_and_rest_guid_give_the_same_key() {
        let from_feed = parse_feed(WORDPRESS_RSS.as_bytes()).unwrap();
        let from_api = parse_wp_posts(WORDPRESS_JSON.as_bytes()).unwrap();
        assert_eq!(from_api.len(), 1);
        assert_eq!(from_feed[0].key, from_api[0].key);
        assert_eq!(from_feed[0].link, from_api[0].link);
        assert_eq!(from_feed[0].title, from_api[0].title);
        assert_eq!(from_feed[0].published, from_api[0].published);
        assert_eq!(
            from_api[0].html,
            "<p>The red coat keeps <em>vanishing</em> &amp; returning.</p>"
        );
    }

    #[test]
    fn atom_feed() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Reel Notes</title>
  <id>tag:site.example,2024:feed</id>
  <updated>2024-06-02T09:30:00Z</updated>
  <entry>
    <title type="html">&lt;em&gt;Stalker&lt;/em&gt; at the Zone&amp;#8217;s edge</title>
    <id>tag:site.example,2024:post-7</id>
    <link rel="replies" href="https://site.example/stalker/#comments"/>
    <link rel="alternate" type="text/html" href="https://site.example/stalker/"/>
    <published>2024-06-01T18:15:00+02:00</published>
    <updated>2024-06-02T09:30:00Z</updated>
    <summary>Three men and a room.</summary>
    <content type="html">&lt;p&gt;Three men walk toward a room that grants wishes &amp;amp; argue all the way.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Solaris</title>
    <id>tag:site.example,2024:post-8</id>
    <link href="https://site.example/solaris/"/>
    <updated>2024-06-03T07:00:00Z</updated>
    <content type="text">An ocean that remembers &lt;everything&gt; &amp; everyone.</content>
  </entry>
</feed>"#;
        let items = parse_feed(atom.as_bytes()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].key, "tag:site.example,2024:post-7");
        assert_eq!(
            items[0].link.as_deref(),
            Some("https://site.example/stalker/")
        );
        assert_eq!(
            items[0].title.as_deref(),
            Some("Stalker at the Zone\u{2019}s edge")
        );
        assert_eq!(items[0].published, Some(utc(2024, 6, 1, 16, 15)));
        assert_eq!(
            items[0].html,
            "<p>Three men walk toward a room that grants wishes &amp; argue all the way.</p>"
        );
        // No published: updated. A link without rel is Atom's alternate. Text content escaped.
        assert_eq!(items[1].published, Some(utc(2024, 6, 3, 7, 0)));
        assert_eq!(
            items[1].link.as_deref(),
            Some("https://site.example/solaris/")
        );
        assert_eq!(
            items[1].html,
            "An ocean that remembers &lt;everything&gt; &amp; everyone."
        );
    }

    fn rss(items: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Reel Notes</title><link>https://site.example/</link>
<description>x</description>{items}</channel></rss>"#
        )
    }

    #[test]
    fn rss_with_only_a_description() {
        let feed = rss(
            r#"<item><title>Ran</title><guid>https://site.example/?p=9</guid>
            <description>&lt;p&gt;Lear on horseback, &amp;amp; in colour.&lt;/p&gt;</description></item>"#,
        );
        let items = parse_feed(feed.as_bytes()).unwrap();
        assert_eq!(items[0].html, "<p>Lear on horseback, &amp; in colour.</p>");
        assert_eq!(items[0].published, None);
        assert_eq!(items[0].link, None);
    }

    #[test]
    fn without_guid_the_link_is_the_key() {
        let feed = rss(
            r#"<item><title>Ikiru</title><link>https://site.example/ikiru/</link>
            <comments>https://site.example/ikiru/#respond</comments></item>"#,
        );
        let items = parse_feed(feed.as_bytes()).unwrap();
        assert_eq!(items[0].key, "https://site.example/ikiru/");
        assert_eq!(
            items[0].link.as_deref(),
            Some("https://site.example/ikiru/")
        );
    }

    #[test]
    fn without_guid_or_link_the_title_and_date_are_the_key() {
        let feed = rss(
            r#"<item><title>Tokyo Story</title><pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate>
            <description>Parents visit.</description></item>
            <item><title>Late Spring</title></item>
            <item><description>Nothing to know it by.</description></item>"#,
        );
        let parsed = parse_feed_report(feed.as_bytes()).unwrap();
        let keys: Vec<_> = parsed.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["Tokyo Story|2024-05-01T10:00:00+00:00", "Late Spring|"]
        );
        assert_eq!(parsed.skipped.len(), 1);
        assert_eq!(parsed.skipped[0].index, 2);
        assert_eq!(
            parsed.skipped[0].to_string(),
            "entry 3 skipped: it has no guid/id, no link and no title"
        );
        // The plain function leaves it out too.
        assert_eq!(parse_feed(feed.as_bytes()).unwrap().len(), 2);
    }

    #[test]
    fn an_empty_feed_has_no_items() {
        assert!(parse_feed(rss("").as_bytes()).unwrap().is_empty());
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id></feed>"#;
        assert!(parse_feed(atom.as_bytes()).unwrap().is_empty());
    }

    #[test]
    fn not_a_feed_is_an_error() {
        let html = "<!DOCTYPE html>\n<html><head><title>Reel Notes</title></head><body><p>Hello</p></body></html>";
        for body in [
            html.as_bytes(),
            b"\x00\x01garbage",
            b"",
            b"{\"not\": \"a feed\"}",
        ] {
            let err = parse_feed(body).unwrap_err();
            assert!(
                err.to_string().starts_with("not an RSS or Atom feed: "),
                "{err}"
            );
        }
    }

    #[test]
    fn entities_and_cdata_decode_once() {
        // Escaped HTML and CDATA HTML in one feed: both give the same HTML string.
        let feed = rss(r#"<item><guid>a</guid><title>Fish &amp;amp; Chips</title>
            <description>&lt;p&gt;Caf&#233; &amp;amp; bar&lt;/p&gt;</description></item>
            <item><guid>b</guid><title><![CDATA[Caf&eacute;]]></title>
            <content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p>Café &amp; bar</p>]]></content:encoded></item>"#);
        let items = parse_feed(feed.as_bytes()).unwrap();
        assert_eq!(items[0].html, "<p>Café &amp; bar</p>");
        assert_eq!(items[1].html, "<p>Café &amp; bar</p>");
        // An RSS title is text: one level of escaping, undone by the XML parser.
        assert_eq!(items[0].title.as_deref(), Some("Fish &amp; Chips"));
        assert_eq!(items[1].title.as_deref(), Some("Caf&eacute;"));
    }

    #[test]
    fn wp_posts_edge_cases() {
        let json = r#"[
          {"id":1,"guid":{"rendered":"https://site.example/?p=1&#038;lang=en"},"title":{"rendered":"One"},
           "date_gmt":null,"date":"2024-01-02T03:04:05","content":{"rendered":""}},
          {"id":2,"guid":{"rendered":"https://site.example/?p=2"},"title":{"rendered":"Two"},
           "content":{"rendered":"","protected":true}},
          {"id":3,"guid":{"rendered":"https://site.example/?p=3"},"title":{"rendered":"Three"}},
          {"id":4,"title":"not an object","content":{"rendered":"x"}},
          {"id":5,"link":"https://site.example/five/","date_gmt":"0000-00-00T00:00:00",
           "content":{"rendered":"<p>five</p>"}},
          {"id":6,"content":{"rendered":"<p>six</p>"}}
        ]"#;
        let parsed = parse_wp_posts_report(json.as_bytes()).unwrap();
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.items[0].key, "https://site.example/?p=1&lang=en");
        assert_eq!(parsed.items[0].html, "");
        assert_eq!(
            parsed.items[0].published,
            Some(utc(2024, 1, 2, 3, 4) + chrono::Duration::seconds(5))
        );
        assert_eq!(parsed.items[1].key, "https://site.example/five/");
        assert_eq!(parsed.items[1].published, None);
        let skipped: Vec<_> = parsed
            .skipped
            .iter()
            .map(|s| (s.index, s.reason.as_str()))
            .collect();
        assert_eq!(skipped[0], (1, "post 2 is password-protected"));
        assert_eq!(skipped[1], (2, "post 3 has no content.rendered"));
        assert_eq!(skipped[2].0, 3);
        assert!(skipped[2].1.starts_with("not a post: "), "{}", skipped[2].1);
        assert_eq!(skipped[3], (5, "post 6 has no guid, no link and no title"));
    }

    #[test]
    fn wp_errors() {
        let err = parse_wp_posts(
            br#"{"code":"rest_post_invalid_page_number","message":"The page number requested is larger than the number of pages available.","data":{"status":400}}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "WordPress answered with an error instead of posts: The page number requested is larger than the number of pages available. (rest_post_invalid_page_number)"
        );
        assert!(
            matches!(err, FeedError::WordPress { ref code, .. } if code == "rest_post_invalid_page_number")
        );
        let err = parse_wp_posts(b"<html>nope</html>").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("not a WordPress post list: not JSON: "),
            "{err}"
        );
        let err = parse_wp_posts(b"42").unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a WordPress post list: JSON a number where an array of posts was expected"
        );
        assert!(parse_wp_posts(b"[]").unwrap().is_empty());
    }

    #[test]
    fn titles_and_guids_lose_their_markup_and_references() {
        assert_eq!(
            html_to_plain("  <b>Bold</b>\n  move &lt;3 &amp; Don&#8217;t &#x2014; &bogus;"),
            "Bold move <3 & Don\u{2019}t \u{2014} &bogus;"
        );
        assert_eq!(
            html_to_plain("https://a.example/?p=1&#038;x=2"),
            "https://a.example/?p=1&x=2"
        );
        assert_eq!(html_to_plain("é&eacute;ü"), "ééü");
    }
}
