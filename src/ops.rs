//! `serve`'s operations endpoints, on their own address (`ops.listen`): `GET /healthz` (the
//! database answers) and `GET /metrics` in the Prometheus text format — interactions by
//! command and outcome, their latency, the outbox by status (pending is its depth) and the
//! files every import has stored by outcome, read from the database at each scrape so that
//! imports by other processes count too.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::store::Store;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Interaction {
    command: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Command {
    command: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Status {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Imported {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Feed {
    feed: String,
    outcome: String,
}

type Latency = Family<Command, Histogram, fn() -> Histogram>;

/// The bot's metrics. Cheap to share (`Arc`); recording takes no lock beyond the family's.
pub struct Metrics {
    registry: Registry,
    interactions: Family<Interaction, Counter>,
    latency: Latency,
    deliveries: Family<Status, Gauge>,
    imported: Family<Imported, Gauge>,
    feed_polls: Family<Feed, Counter>,
    feed_items: Family<Feed, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("marquee");
        let interactions = Family::<Interaction, Counter>::default();
        registry.register(
            "interactions",
            "Interactions handled, by command and outcome",
            interactions.clone(),
        );
        // 1 ms to ~4 s: Discord takes a reply within 3 s.
        let latency: Latency =
            Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.001, 2.0, 13)));
        registry.register(
            "interaction_seconds",
            "Time from an interaction's arrival to its reply being sent",
            latency.clone(),
        );
        let deliveries = Family::<Status, Gauge>::default();
        registry.register(
            "outbox_deliveries",
            "Announcements in the outbox, by status (pending is the queue's depth)",
            deliveries.clone(),
        );
        let imported = Family::<Imported, Gauge>::default();
        registry.register(
            "imported_files",
            "Files stored by every import so far, by outcome",
            imported.clone(),
        );
        let feed_polls = Family::<Feed, Counter>::default();
        registry.register(
            "feed_polls",
            "Polls of the critic's feeds, by feed and outcome (fetched, not_modified, failed)",
            feed_polls.clone(),
        );
        let feed_items = Family::<Feed, Counter>::default();
        registry.register(
            "feed_items",
            "Items of the critic's feeds, by feed and outcome (imported, unchanged, skipped)",
            feed_items.clone(),
        );
        Metrics {
            registry,
            interactions,
            latency,
            deliveries,
            imported,
            feed_polls,
            feed_items,
        }
    }

    /// One poll of a feed: `fetched`, `not_modified` or `failed`.
    pub fn feed_poll(&self, feed: &str, outcome: &str) {
        self.feed_polls
            .get_or_create(&Feed {
                feed: feed.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// `n` items of a feed's poll: `imported`, `unchanged` or `skipped`.
    pub fn feed_items(&self, feed: &str, outcome: &str, n: u64) {
        self.feed_items
            .get_or_create(&Feed {
                feed: feed.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc_by(n);
    }

    /// One interaction handled: `command` as registered (autocompletes and buttons named as
    /// such), `outcome` what the user got.
    pub fn interaction(&self, command: &str, outcome: &str, took: Duration) {
        self.interactions
            .get_or_create(&Interaction {
                command: command.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        self.latency
            .get_or_create(&Command {
                command: command.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// The text exposition, with the outbox and import figures read from `store` now.
    pub async fn render(&self, store: &Store) -> anyhow::Result<String> {
        let (deliveries, imported) = store.ops_counts().await?;
        for (status, n) in deliveries {
            self.deliveries.get_or_create(&Status { status }).set(n);
        }
        for (outcome, n) in imported {
            self.imported
                .get_or_create(&Imported {
                    outcome: outcome.to_owned(),
                })
                .set(n);
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

#[derive(Clone)]
struct Ops {
    store: Store,
    metrics: Arc<Metrics>,
}

/// The operations router: `/healthz` and `/metrics`.
pub fn router(store: Store, metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(Ops { store, metrics })
}

/// 200 while the database answers, 503 (with the reason) when it does not.
async fn healthz(State(ops): State<Ops>) -> Response {
    let (status, body) = match ops.store.ping().await {
        Ok(()) => (StatusCode::OK, serde_json::json!({ "status": "ok" })),
        Err(err) => {
            tracing::warn!(error = format!("{err:#}"), "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({ "status": "unavailable", "error": format!("{err:#}") }),
            )
        }
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn metrics_text(State(ops): State<Ops>) -> Response {
    match ops.metrics.render(&ops.store).await {
        Ok(text) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "cannot gather the metrics");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot gather the metrics\n",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn interactions_and_the_store_s_figures_are_exposed() {
        let store = Store::in_memory().await.unwrap();
        let metrics = Metrics::new();
        metrics.interaction("review", "answered", Duration::from_millis(3));
        metrics.interaction("review", "answered", Duration::from_millis(5));
        metrics.interaction("random", "panicked", Duration::from_millis(1));
        let text = metrics.render(&store).await.unwrap();
        assert!(
            text.contains(r#"marquee_interactions_total{command="review",outcome="answered"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"marquee_interactions_total{command="random",outcome="panicked"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"marquee_interaction_seconds_count{command="review"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"marquee_outbox_deliveries{status="pending"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"marquee_imported_files{outcome="added"} 0"#),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[tokio::test]
    async fn feed_polls_and_items_are_counted_by_feed_and_outcome() {
        let store = Store::in_memory().await.unwrap();
        let metrics = Metrics::new();
        let feed = "https://critic.example/feed/";
        metrics.feed_poll(feed, "fetched");
        metrics.feed_poll(feed, "not_modified");
        metrics.feed_poll(feed, "not_modified");
        metrics.feed_items(feed, "imported", 3);
        metrics.feed_items(feed, "unchanged", 7);
        metrics.feed_items(feed, "unchanged", 10);
        let text = metrics.render(&store).await.unwrap();
        for line in [
            format!(r#"marquee_feed_polls_total{{feed="{feed}",outcome="fetched"}} 1"#),
            format!(r#"marquee_feed_polls_total{{feed="{feed}",outcome="not_modified"}} 2"#),
            format!(r#"marquee_feed_items_total{{feed="{feed}",outcome="imported"}} 3"#),
            format!(r#"marquee_feed_items_total{{feed="{feed}",outcome="unchanged"}} 17"#),
        ] {
            assert!(text.contains(&line), "{line} not in {text}");
        }
    }
}
