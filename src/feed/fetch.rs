//! Polite, bounded HTTP GET for the critic's site: its feed, its feed's pages and its
//! WordPress REST API.
//!
//! Polite: it says who it is (a `User-Agent` with a URL to the project) and asks
//! conditionally, so a poll that finds nothing new costs the site a 304 and no body.
//! Bounded: one deadline for the whole exchange, body included; at most [`MAX_REDIRECTS`]
//! redirects, each to http(s) only; and a cap on the body, checked against `Content-Length`
//! and again while reading, so a huge or endless body costs at most the cap plus one chunk.
//!
//! Needs a tokio runtime with time enabled (as reqwest does).

use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, LOCATION,
};
use reqwest::{redirect, StatusCode, Url};

/// The most redirects one fetch follows (the sixth is refused).
pub const MAX_REDIRECTS: usize = 5;

/// Sent with every request, so a site owner who sees marquee in their logs knows what it is
/// and which version.
pub const USER_AGENT: &str = concat!(
    "marquee/",
    env!("CARGO_PKG_VERSION"),
    " (a Discord bot following a film critic's reviews)"
);

/// Feeds first, then JSON (the REST API), then anything: some sites serve their feed as
/// `text/html` or `application/octet-stream`, and a 406 would help nobody.
const ACCEPT_VALUE: &str = "application/rss+xml, application/atom+xml, application/xml;q=0.9, \
                            text/xml;q=0.9, application/json;q=0.9, */*;q=0.5";

/// The header that carries the page count of a WordPress REST collection.
const WP_TOTAL_PAGES: &str = "x-wp-totalpages";

/// The validators of the last 200, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    /// True when there is nothing to send, so the GET is unconditional.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing changed since the validators.
    NotModified,
    Body(Body),
}

#[derive(Debug)]
pub struct Body {
    pub bytes: Vec<u8>,
    /// ETag / Last-Modified of this response, to send next time.
    pub validators: Validators,
    /// The Content-Type header, if any.
    pub content_type: Option<String>,
    /// The URL after redirects.
    pub final_url: String,
    /// X-WP-TotalPages, when the response has it (a WordPress REST collection).
    pub total_pages: Option<u32>,
}

/// Why a fetch failed. Every message names the URL, since it reaches the operator as is.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Refused before any request.
    #[error("{url:?} is not a valid URL: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// Refused before any request: only http and https are fetched.
    #[error("{url} is not an http or https URL")]
    UnsupportedScheme { url: String },
    /// Could not connect, or the connection broke; `cause` is the whole chain of causes.
    #[error("network error fetching {url}: {cause}")]
    Network { url: String, cause: String },
    /// The whole exchange, body included, took longer than the fetcher's timeout.
    #[error("timed out after {} s fetching {url}", .timeout.as_secs_f64())]
    TimedOut { url: String, timeout: Duration },
    /// A status other than 2xx and 304. `final_url` is the URL that answered (after redirects).
    /// A WordPress feed page past the end is a 404, an API page past the end a 400.
    #[error("HTTP {status} from {}", describe(url, final_url))]
    Status {
        status: StatusCode,
        url: String,
        final_url: String,
    },
    #[error("more than {MAX_REDIRECTS} redirects fetching {url}")]
    TooManyRedirects { url: String },
    /// A redirect to a `file:`, `ftp:` or other non-http(s) URL, never followed.
    #[error("{url} redirected to {location}, which is not an http or https URL")]
    BadRedirect { url: String, location: String },
    #[error("the response from {url} is larger than the size limit ({limit} bytes)")]
    TooLarge { url: String, limit: u64 },
    /// The HTTP client could not be built (in practice: the TLS backend failed to start).
    #[error("could not set up the HTTP client: {cause}")]
    Client { cause: String },
}

impl FetchError {
    /// The status of a [`FetchError::Status`]: how a backfill tells "no more pages" (404 from
    /// `/feed/?paged=N`, 400 from the API) from a real failure.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn describe(url: &str, final_url: &str) -> String {
    if url == final_url {
        url.to_string()
    } else {
        format!("{final_url} (redirected from {url})")
    }
}

/// Why the redirect policy stopped a redirect; found again in reqwest's error chain.
#[derive(Debug, thiserror::Error)]
enum RedirectRefused {
    #[error("too many redirects")]
    TooMany,
    #[error("redirect to a non-http(s) URL: {0}")]
    Scheme(String),
}

/// Each fetch of the critic's site goes through one of these (cheap to clone: the client, and
/// its connection pool, are shared).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    timeout: Duration,
    max_bytes: u64,
}

impl Fetcher {
    /// timeout: for the whole request including the body (marquee uses 15 s; tests pass less).
    /// max_bytes: the most body bytes read (marquee uses 10 MB); a bigger body is an error,
    /// detected while streaming (never more than the limit + one chunk is read), and also up
    /// front from Content-Length.
    ///
    /// The client ignores `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` (`no_proxy()`): marquee talks
    /// to one site directly, and a proxy variable meant for something else (a build's, a
    /// container's) must not route the bot's polls, nor the tests' requests to 127.0.0.1,
    /// through a proxy.
    pub fn new(timeout: Duration, max_bytes: u64) -> Result<Fetcher, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_VALUE));
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .redirect(redirect_policy())
            .timeout(timeout)
            .connect_timeout(timeout)
            .no_proxy()
            .build()
            .map_err(|err| FetchError::Client {
                cause: error_chain(&err),
            })?;
        Ok(Fetcher {
            client,
            timeout,
            max_bytes,
        })
    }

    /// GET `url`, conditionally when `validators` has any (If-None-Match / If-Modified-Since).
    ///
    /// Must run inside a tokio runtime with time enabled (as reqwest must).
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let parsed = Url::parse(url).map_err(|err| FetchError::InvalidUrl {
            url: url.to_string(),
            reason: err.to_string(),
        })?;
        if !is_http(&parsed) {
            return Err(FetchError::UnsupportedScheme {
                url: url.to_string(),
            });
        }
        // reqwest's own timeout covers the body too; this one also bounds what reqwest's does
        // not (a slow redirect chain's bookkeeping, our own reading loop) and gives one error.
        match tokio::time::timeout(self.timeout, self.get_inner(parsed, url, validators)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(self.timed_out(url)),
        }
    }

    async fn get_inner(
        &self,
        parsed: Url,
        url: &str,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        let mut request = self.client.get(parsed);
        // A validator a server sent came from a header, so it is a valid header value; one that
        // is not (a hand-edited database) is dropped: the GET is then merely unconditional.
        if let Some(etag) = validators.etag.as_deref() {
            if let Ok(value) = HeaderValue::from_str(etag) {
                request = request.header(IF_NONE_MATCH, value);
            }
        }
        if let Some(since) = validators.last_modified.as_deref() {
            if let Ok(value) = HeaderValue::from_str(since) {
                request = request.header(IF_MODIFIED_SINCE, value);
            }
        }

        let response = request
            .send()
            .await
            .map_err(|err| self.classify(url, err))?;
        let status = response.status();
        let final_url = response.url().to_string();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if is_followable_redirect(status) {
            // A redirect the client did not follow: reqwest gives up on a Location it cannot
            // turn into a request (`file:`, `ftp:` may never reach the policy).
            if let Some(location) = response.headers().get(LOCATION) {
                return Err(FetchError::BadRedirect {
                    url: url.to_string(),
                    location: String::from_utf8_lossy(location.as_bytes()).into_owned(),
                });
            }
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                status,
                url: url.to_string(),
                final_url,
            });
        }

        let headers = response.headers();
        let validators = Validators {
            etag: header_text(headers, ETAG),
            last_modified: header_text(headers, LAST_MODIFIED),
        };
        let content_type = header_text(headers, CONTENT_TYPE);
        let total_pages =
            header_text(headers, WP_TOTAL_PAGES).and_then(|v| v.trim().parse::<u32>().ok());

        let bytes = self.read_capped(response, url).await?;
        Ok(Fetched::Body(Body {
            bytes,
            validators,
            content_type,
            final_url,
            total_pages,
        }))
    }

    /// The body, refused past the size cap: up front from `Content-Length`, then while it is
    /// read (never more than the cap and one chunk).
    async fn read_capped(
        &self,
        mut response: reqwest::Response,
        url: &str,
    ) -> Result<Vec<u8>, FetchError> {
        if let Some(length) = response.content_length() {
            if length > self.max_bytes {
                return Err(self.too_large(url));
            }
        }
        // Reserve what Content-Length promises, within the cap (and 1 MiB: a promise is not a
        // body, and a liar should not cost memory up front).
        let reserve = response
            .content_length()
            .unwrap_or(0)
            .min(self.max_bytes)
            .min(1 << 20);
        let mut bytes = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| self.classify(url, err))?
        {
            let total = u64::try_from(bytes.len())
                .unwrap_or(u64::MAX)
                .saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
            if total > self.max_bytes {
                return Err(self.too_large(url));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    fn classify(&self, url: &str, err: reqwest::Error) -> FetchError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
        while let Some(current) = source {
            if let Some(refused) = current.downcast_ref::<RedirectRefused>() {
                return match refused {
                    RedirectRefused::TooMany => FetchError::TooManyRedirects {
                        url: url.to_string(),
                    },
                    RedirectRefused::Scheme(location) => FetchError::BadRedirect {
                        url: url.to_string(),
                        location: location.clone(),
                    },
                };
            }
            source = current.source();
        }
        if err.is_timeout() {
            return self.timed_out(url);
        }
        FetchError::Network {
            url: url.to_string(),
            cause: error_chain(&err.without_url()),
        }
    }

    fn timed_out(&self, url: &str) -> FetchError {
        FetchError::TimedOut {
            url: url.to_string(),
            timeout: self.timeout,
        }
    }

    fn too_large(&self, url: &str) -> FetchError {
        FetchError::TooLarge {
            url: url.to_string(),
            limit: self.max_bytes,
        }
    }
}

fn is_http(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// The statuses reqwest follows; a 300 or 304 with a Location is not a redirect it was asked
/// to take.
fn is_followable_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Up to [`MAX_REDIRECTS`] redirects, each to http or https only: a feed URL that redirects
/// to `file:` must not make the bot read local files, whatever a future reqwest allows.
fn redirect_policy() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        if !is_http(attempt.url()) {
            let location = attempt.url().to_string();
            attempt.error(RedirectRefused::Scheme(location))
        } else if attempt.previous().len() > MAX_REDIRECTS {
            // `previous` holds the original URL and each one redirected to so far: at the
            // sixth redirect, six.
            attempt.error(RedirectRefused::TooMany)
        } else {
            attempt.follow()
        }
    })
}

fn header_text(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// An error and its causes, `: `-separated: reqwest's own message ("error sending request")
/// says little; the cause ("Connection refused") is what an operator needs.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.ends_with(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_marquee_and_its_version() {
        assert!(USER_AGENT.starts_with(concat!("marquee/", env!("CARGO_PKG_VERSION"), " ")));
    }

    #[test]
    fn messages() {
        let err = FetchError::Status {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            url: "http://a.example/feed/".into(),
            final_url: "http://a.example/feed/".into(),
        };
        assert_eq!(
            err.to_string(),
            "HTTP 500 Internal Server Error from http://a.example/feed/"
        );
        let err = FetchError::Status {
            status: StatusCode::NOT_FOUND,
            url: "http://a.example/feed".into(),
            final_url: "http://a.example/feed/".into(),
        };
        assert_eq!(
            err.to_string(),
            "HTTP 404 Not Found from http://a.example/feed/ (redirected from http://a.example/feed)"
        );
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
        let err = FetchError::TimedOut {
            url: "http://a.example/".into(),
            timeout: Duration::from_millis(1500),
        };
        assert_eq!(
            err.to_string(),
            "timed out after 1.5 s fetching http://a.example/"
        );
    }
}
