//! Validates request bodies against Discord's own OpenAPI spec (`../shared/discord/openapi.json`,
//! when it is there): each body against the `requestBody` schema of its path and method.
//!
//! - [`Spec::validate`] / [`Spec::validate_schema`] panic on a violation (for direct asserts).
//! - [`Spec::violations`] returns the violations as a list instead, and also takes a concrete
//!   request path (`/api/v10/channels/5000/messages`), which it maps to the spec's template
//!   (`/channels/{channel_id}/messages`) with [`Spec::template_for`].
//!
//! Compiled validators are cached per schema, so checking many bodies stays cheap.
//!
//! Two known errors of the spec are patched in memory when it loads (and a note says so each):
//! - it types `default_member_permissions` in the command create, update and patch requests as
//!   `integer|null`, while Discord documents a string and serenity sends `"16"`; those three
//!   schemas also accept a digit string;
//! - it types the `id` of an upload's `attachments` entry (`MessageAttachmentRequest`) as a
//!   snowflake string, while Discord's "Uploading Files" documentation gives the placeholder id
//!   as an integer (`"id": 0`) and serenity sends it so; that id also accepts an integer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// The request schemas whose `default_member_permissions` the spec types as an integer only.
const PERMISSION_STRING_SCHEMAS: [&str; 3] = [
    "ApplicationCommandCreateRequest",
    "ApplicationCommandUpdateRequest",
    "ApplicationCommandPatchRequestPartial",
];

/// The prefix serenity puts before every route; the spec's paths are written without it.
pub const API_PREFIX: &str = "/api/v10";

pub struct Spec {
    document: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Spec {
    /// The spec, or `None` (with a note) when `../shared` is not beside the checkout.
    pub fn load() -> Option<Spec> {
        let path = crate::checkout().join("../shared/discord/openapi.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!(
                "note: {} is not here; request bodies are not validated",
                path.display()
            );
            return None;
        };
        let mut document: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
        patch_permission_strings(&mut document);
        patch_attachment_ids(&mut document);
        Some(Spec {
            document,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// Panics with every violation when `body` does not fit the request schema of
    /// `method` `path` (a path template as the spec writes it).
    pub fn validate(&self, method: &str, path: &str, body: &Value) {
        let schema = self.request_schema(method, path);
        assert!(
            !schema.is_null(),
            "the spec has no JSON request body for {method} {path}"
        );
        self.check(
            &format!("{method} {path}"),
            schema,
            body,
            &format!("{method} {path}"),
        );
    }

    /// Like [`Spec::validate`], against one named schema of `components/schemas`: a stricter
    /// check with clearer messages than a path's `anyOf` of every callback type.
    pub fn validate_schema(&self, name: &str, body: &Value) {
        assert!(
            !self.document["components"]["schemas"][name].is_null(),
            "the spec has no schema {name}"
        );
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        self.check(&format!("#{name}"), schema, body, name);
    }

    /// Every way `body` breaks the request schema of `method` `path`, without panicking.
    ///
    /// `method` in any case; `path` either a template as the spec writes it or a concrete
    /// request path, with or without the `/api/v10` prefix and a query string. An empty list
    /// means the body fits. A path or method that is not in the spec is one violation. A `Null`
    /// body (no body sent) is only checked for being allowed to be absent: it passes unless the
    /// spec marks the request body as required.
    pub fn violations(&self, method: &str, path: &str, body: &Value) -> Vec<String> {
        let method = method.to_ascii_lowercase();
        let Some(template) = self.template_for(&method, path) else {
            return vec![format!(
                "{} {path} is not an endpoint in Discord's spec",
                method.to_ascii_uppercase()
            )];
        };
        let request_body =
            &self.document["paths"][template.as_str()][method.as_str()]["requestBody"];
        if body.is_null() {
            return if request_body["required"] == json!(true) {
                vec![format!(
                    "{} {template}: the spec requires a request body and none was sent",
                    method.to_ascii_uppercase()
                )]
            } else {
                Vec::new()
            };
        }
        let schema = request_body["content"]["application/json"]["schema"].clone();
        if schema.is_null() {
            return vec![format!(
                "{} {template}: the spec takes no JSON body here, but one was sent",
                method.to_ascii_uppercase()
            )];
        }
        self.errors(&format!("{method} {template}"), schema, body)
    }

    /// The spec's path template (`/channels/{channel_id}/messages`) for a concrete request path
    /// (`/api/v10/channels/5000/messages?wait=true`) that `method` is defined on. Literal
    /// segments win over parameters, so `/users/@me` maps to `/users/@me`, not `/users/{user_id}`.
    pub fn template_for(&self, method: &str, path: &str) -> Option<String> {
        let method = method.to_ascii_lowercase();
        let path = path.split('?').next().unwrap_or_default();
        let path = path.strip_prefix(API_PREFIX).unwrap_or(path);
        let paths = self.document["paths"].as_object()?;
        if paths.get(path).is_some_and(|p| p.get(&method).is_some()) {
            return Some(path.to_string());
        }
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut best: Option<(usize, &String)> = None;
        for (template, operations) in paths {
            if operations.get(&method).is_none() {
                continue;
            }
            let segments: Vec<&str> = template.trim_matches('/').split('/').collect();
            if segments.len() != wanted.len() {
                continue;
            }
            let mut literals = 0;
            let fits = segments.iter().zip(&wanted).all(|(s, w)| {
                if s.starts_with('{') && s.ends_with('}') {
                    !w.is_empty()
                } else if s == w {
                    literals += 1;
                    true
                } else {
                    false
                }
            });
            if fits && !matches!(best, Some((n, _)) if n >= literals) {
                best = Some((literals, template));
            }
        }
        best.map(|(_, template)| template.clone())
    }

    fn request_schema(&self, method: &str, path: &str) -> Value {
        self.document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
            .clone()
    }

    fn check(&self, key: &str, schema: Value, body: &Value, what: &str) {
        let errors = self.errors(key, schema, body);
        assert!(
            errors.is_empty(),
            "{what}: the body breaks Discord's schema:\n{}\n{body:#}",
            errors.join("\n")
        );
    }

    /// The violations of `body` against `schema`, with the compiled validator cached by `key`.
    fn errors(&self, key: &str, schema: Value, body: &Value) -> Vec<String> {
        let cached = self.validators.lock().unwrap().get(key).cloned();
        let validator = match cached {
            Some(validator) => validator,
            None => {
                // The request schema becomes the root of a document that also holds the spec's
                // components, so that its `#/components/schemas/…` references resolve.
                let root = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "allOf": [schema],
                    "components": self.document["components"],
                });
                let validator = Arc::new(
                    jsonschema::validator_for(&root).expect("the request schema compiles"),
                );
                self.validators
                    .lock()
                    .unwrap()
                    .insert(key.to_string(), validator.clone());
                validator
            }
        };
        validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }
}

/// Lets an upload's `attachments` entries take their placeholder id as an integer, as Discord
/// documents it and serenity sends it (the spec says snowflake string only).
fn patch_attachment_ids(document: &mut Value) {
    let property =
        &mut document["components"]["schemas"]["MessageAttachmentRequest"]["properties"]["id"];
    if property.is_null() {
        return;
    }
    let original = property.take();
    *property = json!({ "anyOf": [original, { "type": "integer", "minimum": 0 }] });
    eprintln!(
        "note: Discord's spec types an upload's attachment id as a string; patched in memory \
         to accept the integer placeholder id too in MessageAttachmentRequest"
    );
}

/// Lets the command request schemas take `default_member_permissions` as a digit string, as
/// Discord documents it and serenity sends it (the spec says integer only).
fn patch_permission_strings(document: &mut Value) {
    let mut patched = Vec::new();
    for name in PERMISSION_STRING_SCHEMAS {
        let property = &mut document["components"]["schemas"][name]["properties"]
            ["default_member_permissions"];
        if property.is_null() {
            continue;
        }
        let original = property.take();
        *property = json!({ "anyOf": [original, { "type": "string", "pattern": "^[0-9]+$" }] });
        patched.push(name);
    }
    if !patched.is_empty() {
        eprintln!(
            "note: Discord's spec types default_member_permissions as an integer; \
             patched in memory to accept a digit string too in {}",
            patched.join(", ")
        );
    }
}
