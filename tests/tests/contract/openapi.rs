//! Every request of every case is checked against the published OpenAPI document
//! (`clinicdesk_api::openapi_document`), on both transports:
//! - the route that answered is a documented operation. In-process, the router says which
//!   route matched (axum's `MatchedPath`, recorded by a layer around every route), so a route
//!   added without `route!(…)` fails the first case that calls it. Over HTTP the path is matched
//!   against the document's templates; a request no operation matches must be answered by the
//!   router's own 404 `NOT_FOUND` / 405 `METHOD_NOT_ALLOWED`, or it reached an undocumented route;
//! - the status is one the operation documents, and the body validates against its schema
//!   (envelope, data, error code enum) — with `additionalProperties: false` and every key
//!   required, an added, renamed or dropped field fails;
//! - each query parameter sent is documented, and a request body the API accepted (2xx)
//!   validates against the documented request schema;
//! - an answer any request can get before its route runs (400 `BAD_REQUEST`, 414, 431) is one
//!   of the document's `components.responses` and validates against it.
//!
//! The contract's sweep (`documented_operations_are_all_exercised` in main.rs) records which
//! operations the cases reached and fails when one was never called.

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// The operations the cases reached, as `METHOD /path/{template}`.
pub type Exercised = Arc<Mutex<BTreeSet<String>>>;

/// One documented operation.
struct Operation {
    method: String,
    template: String,
    segments: Vec<String>,
    op: Value,
}

impl Operation {
    fn key(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// How well `path` fits: `None` if not at all, else the number of literal segments (a
    /// literal beats a `{parameter}`, as in the router).
    fn fit(&self, method: &str, segments: &[&str]) -> Option<usize> {
        if self.method != method || self.segments.len() != segments.len() {
            return None;
        }
        let mut literal = 0;
        for (t, s) in self.segments.iter().zip(segments) {
            if t.starts_with('{') && t.ends_with('}') {
                if s.is_empty() {
                    return None;
                }
            } else if t == s {
                literal += 1;
            } else {
                return None;
            }
        }
        Some(literal)
    }
}

pub struct Contract {
    doc: &'static Value,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// What a case sent and what came back, as the checker needs it.
pub struct Exchange<'a> {
    pub method: &'a str,
    /// Path and query.
    pub uri: &'a str,
    /// The route the router matched (in-process only).
    pub matched: Option<&'a str>,
    pub request_body: Option<&'a Value>,
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub body: &'a Value,
}

pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let doc = clinicdesk_api::openapi_document();
        let mut operations = Vec::new();
        for (template, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                operations.push(Operation {
                    method: method.to_uppercase(),
                    template: template.clone(),
                    segments: template.split('/').map(String::from).collect(),
                    op: op.clone(),
                });
            }
        }
        assert!(
            !operations.is_empty(),
            "the OpenAPI document has no operations"
        );
        Contract {
            doc,
            operations,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

impl Contract {
    /// Every documented operation, as `METHOD /path/{template}`.
    pub fn operation_keys(&self) -> BTreeSet<String> {
        self.operations.iter().map(Operation::key).collect()
    }

    fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let segments: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter_map(|o| o.fit(method, &segments).map(|score| (score, o)))
            .max_by_key(|(score, _)| *score)
            .map(|(_, o)| o)
    }

    fn validator(&self, key: &str, schema: &Value) -> Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = cache.get(key) {
            return v.clone();
        }
        // The schema's `$ref`s point into the document's components: carry them along.
        let mut root = schema.clone();
        root["components"] = self.doc["components"].clone();
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the documented schema of {key} does not compile: {e}"));
        let validator = Arc::new(validator);
        cache.insert(key.to_string(), validator.clone());
        validator
    }

    fn validate(&self, key: &str, schema: &Value, instance: &Value, what: &str) {
        let errors: Vec<String> = self
            .validator(key, schema)
            .iter_errors(instance)
            .map(|e| format!("  {} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match the OpenAPI document ({key}):\n{}\nbody: {}",
            errors.join("\n"),
            short(instance)
        );
    }

    /// Checks one exchange (see the module comment); records the operation it reached.
    #[track_caller]
    pub fn check(&self, x: &Exchange, exercised: Option<&Exercised>) {
        let (path, query) = x.uri.split_once('?').unwrap_or((x.uri, ""));
        let code = x.body["error"]["code"].as_str().unwrap_or("");
        if let Some(response) = self.doc["components"]["responses"].get(code) {
            // Answered by the request's bounds, whatever the route.
            let schema = response
                .pointer("/content/application~1json/schema")
                .expect("a documented error answer has a schema");
            let status = code_status(code);
            assert_eq!(x.status, status, "{code} is documented as {status}");
            self.validate(
                &format!("{code} before routing"),
                schema,
                x.body,
                "the answer",
            );
            return;
        }
        let refused_by_router = (x.status == 404 && code == "NOT_FOUND")
            || (x.status == 405 && code == "METHOD_NOT_ALLOWED")
            || (x.status == 404 && !path.starts_with("/api/"));
        let Some(operation) = self.find(x.method, path) else {
            assert!(
                refused_by_router,
                "{} {path} answered {} but no documented operation has that method and path: \
                 a route missing from the OpenAPI document (register it with route!(…)). body: {}",
                x.method,
                x.status,
                short(x.body)
            );
            return;
        };
        let key = operation.key();
        if let Some(matched) = x.matched {
            assert_eq!(
                matched, operation.template,
                "{} {path}: the router matched {matched}, the document {key}",
                x.method
            );
        } else if x.status == 405 && code == "METHOD_NOT_ALLOWED" {
            return;
        }
        if let Some(exercised) = exercised {
            exercised
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key.clone());
        }
        let op = &operation.op;

        // Query parameters sent must be documented ones.
        let documented: Vec<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let name = pair.split_once('=').map_or(pair, |(k, _)| k);
            assert!(
                documented.contains(&name),
                "{key}: query parameter {name} is not documented (documented: {documented:?})"
            );
        }

        // The request body the API accepted fits the documented one.
        if (200..300).contains(&x.status) {
            if let (Some(sent), Some(schema)) = (
                x.request_body,
                op.pointer("/requestBody/content/application~1json/schema"),
            ) {
                self.validate(
                    &format!("{key} request"),
                    schema,
                    sent,
                    "the accepted request body",
                );
            }
        }

        // The answer is documented and has the documented shape.
        let status = x.status.to_string();
        let Some(response) = op["responses"].get(&status) else {
            panic!(
                "{key} answered {status}, which the document does not list (listed: {:?}); body: {}",
                op["responses"].as_object().map(|r| r.keys().collect::<Vec<_>>()),
                short(x.body)
            );
        };
        match response.pointer("/content/application~1json/schema") {
            Some(schema) => {
                assert!(
                    x.content_type
                        .is_some_and(|c| c.starts_with("application/json")),
                    "{key} {status}: documented as JSON, answered {:?}",
                    x.content_type
                );
                self.validate(&format!("{key} {status}"), schema, x.body, "the answer");
            }
            None if response.get("content").is_none() => {
                assert!(
                    x.body.is_null(),
                    "{key} {status}: documented without a body, answered {}",
                    short(x.body)
                );
            }
            None => {} // HTML, CSS, scripts of /docs
        }
    }
}

/// The status an error code is answered with.
fn code_status(code: &str) -> u16 {
    clinicdesk_domain::ErrorCode::parse(code)
        .map(|c| c.http_status())
        .unwrap_or_else(|| panic!("{code} is not an error code"))
}

/// The documented operations no case reached.
pub fn unexercised(exercised: &Exercised) -> Vec<String> {
    let seen = exercised.lock().unwrap_or_else(|e| e.into_inner()).clone();
    contract()
        .operation_keys()
        .into_iter()
        .filter(|k| !seen.contains(k))
        .collect()
}

/// A body, cut for a failure message.
fn short(body: &Value) -> String {
    let text = body.to_string();
    match text.char_indices().nth(600) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}
