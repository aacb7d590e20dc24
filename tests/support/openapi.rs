//! Validates request bodies against Discord's own OpenAPI spec (`../shared/discord/openapi.json`,
//! when it is there): each body against the `requestBody` schema of its path and method.

use std::path::PathBuf;

use serde_json::{json, Value};

pub struct Spec {
    document: Value,
}

impl Spec {
    /// The spec, or `None` (with a note) when `../shared` is not beside the checkout.
    pub fn load() -> Option<Spec> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/discord/openapi.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!(
                "note: {} is not here; request bodies are not validated",
                path.display()
            );
            return None;
        };
        let document = serde_json::from_str(&text).expect("openapi.json is JSON");
        Some(Spec { document })
    }

    /// Panics with every violation when `body` does not fit the request schema of
    /// `method` `path` (a path template as the spec writes it).
    pub fn validate(&self, method: &str, path: &str, body: &Value) {
        let schema = self.document["paths"][path][method]["requestBody"]["content"]
            ["application/json"]["schema"]
            .clone();
        assert!(
            !schema.is_null(),
            "the spec has no JSON request body for {method} {path}"
        );
        self.check(schema, body, &format!("{method} {path}"));
    }

    /// Like [`Spec::validate`], against one named schema of `components/schemas`: a stricter
    /// check with clearer messages than a path's `anyOf` of every callback type.
    pub fn validate_schema(&self, name: &str, body: &Value) {
        assert!(
            !self.document["components"]["schemas"][name].is_null(),
            "the spec has no schema {name}"
        );
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        self.check(schema, body, name);
    }

    fn check(&self, schema: Value, body: &Value, what: &str) {
        // The request schema becomes the root of a document that also holds the spec's
        // components, so that its `#/components/schemas/…` references resolve.
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": self.document["components"],
        });
        let validator = jsonschema::validator_for(&root).expect("the request schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: the body breaks Discord's schema:\n{}\n{body:#}",
            errors.join("\n")
        );
    }
}
