//! Every manifest of the Kubernetes website examples (`tests/data/website-examples`, copied from
//! kubernetes/website with its SOURCE.md) sent to the API server as kubectl sends it: YAML
//! converted to JSON, `fieldValidation=Strict`, POST to the resource's collection. Served kinds
//! must be stored; the kinds kubestep does not serve must get the real server's answer.

use std::any::Any;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kubestep::apiserver::decode::yaml_to_json;
use kubestep::apiserver::decode::{is_empty_document, split_documents};
use kubestep::apiserver::request::{HttpRequest, HttpResponse};
use kubestep::apiserver::resources;
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Message, Sim};
use serde_json::{json, Value};

#[derive(Clone, Default)]
struct Client {
    responses: BTreeMap<u64, HttpResponse>,
}

impl Actor for Client {
    fn addr(&self) -> Addr {
        Addr::Client("corpus".into())
    }
    fn handle(&mut self, env: &Envelope, _ctx: &mut Ctx<'_>) {
        if let Message::HttpResponse { id, response } = &env.message {
            self.responses.insert(*id, response.clone());
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

fn call(sim: &mut Sim, id: u64, req: HttpRequest) -> (u16, Value) {
    sim.inject(
        Addr::Client("corpus".into()),
        Addr::ApiServer,
        Message::HttpRequest {
            id,
            request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
        },
    );
    sim.run_until_idle();
    let r = &sim
        .actor::<Client>(&Addr::Client("corpus".into()))
        .unwrap()
        .responses[&id];
    (
        r.status,
        r.body_json()
            .map(|v| (*v).clone())
            .unwrap_or_else(|| json!(String::from_utf8_lossy(&r.body.to_bytes()))),
    )
}

/// The objects of a file, with `kind: List` expanded as kubectl does.
fn objects(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for doc in split_documents(text).expect("the corpus splits into documents") {
        if is_empty_document(&doc.text) {
            continue;
        }
        let v = yaml_to_json(&doc.text).expect("the corpus is valid YAML");
        if v["kind"] == "List" {
            out.extend(v["items"].as_array().cloned().unwrap_or_default());
        } else {
            out.push(v);
        }
    }
    out
}

#[test]
fn every_website_example_is_stored_or_refused_as_a_real_server_would() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/website-examples");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    assert!(files.len() > 50, "the corpus is missing");
    let mut sim = kubestep::cluster::booted(11);
    sim.add_actor(Box::new(Client::default()));
    sim.run_until_idle();
    let mut id = 0;
    let mut stored = 0;
    let mut failures = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    // Namespaces the examples use must exist first, as a learner would create them.
    let mut namespaces: Vec<String> = files
        .iter()
        .flat_map(|f| objects(&std::fs::read_to_string(f).unwrap()))
        .filter_map(|o| {
            o.pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    namespaces.sort();
    namespaces.dedup();
    for ns in namespaces {
        id += 1;
        call(
            &mut sim,
            id,
            HttpRequest::new("POST", "/api/v1/namespaces").json_body(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            ),
        );
        // kube-controller-manager's serviceaccount controller gives every namespace its
        // `default` ServiceAccount; the test plays that part, and accepts it already there.
        sim.run_until_idle();
        id += 1;
        let (code, _) = call(&mut sim, id, HttpRequest::new("POST", &format!("/api/v1/namespaces/{ns}/serviceaccounts")).json_body(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})));
        assert!(
            code == 201 || code == 409,
            "default ServiceAccount in {ns}: {code}"
        );
    }
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap().display().to_string();
        for obj in objects(&std::fs::read_to_string(f).unwrap()) {
            let api_version = obj["apiVersion"].as_str().unwrap_or("").to_string();
            let kind = obj["kind"].as_str().unwrap_or("").to_string();
            let (group, version) = api_version.split_once('/').unwrap_or(("", &api_version));
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let Some(resource) = resources::by_kind(group, version, &kind) else {
                // kubectl stops here: `no matches for kind "X" in version "g/v"`. The server
                // itself answers 404 for the unserved path.
                let prefix = if group.is_empty() { "/api" } else { "/apis" };
                let path = format!(
                    "{prefix}/{api_version}/namespaces/default/{}s",
                    kind.to_lowercase()
                );
                id += 1;
                let (code, _) = call(
                    &mut sim,
                    id,
                    HttpRequest::new("POST", &path).body(serde_json::to_vec(&obj).unwrap()),
                );
                if code != 404 {
                    failures.push(format!(
                        "{rel}: {kind} {name}: unserved kind answered {code}, not 404"
                    ));
                }
                refused.push(format!("{kind} ({api_version})"));
                continue;
            };
            let ns = obj
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("default");
            let path = kubestep::client::collection_path(
                resource.group,
                resource.version,
                resource.name,
                resource.namespaced.then_some(ns),
            );
            id += 1;
            let (code, body) = call(
                &mut sim,
                id,
                HttpRequest::new("POST", &format!("{path}?fieldValidation=Strict"))
                    .header("Content-Type", "application/json")
                    .body(serde_json::to_vec(&obj).unwrap()),
            );
            match code {
                201 => stored += 1,
                // The same object in two files (a learner applying both) already exists.
                409 if body["reason"] == "AlreadyExists" => stored += 1,
                _ => failures.push(format!("{rel}: {kind} {name}: {code} {}", body["message"])),
            }
        }
    }
    refused.sort();
    refused.dedup();
    println!("stored {stored} objects; refused unserved kinds: {refused:?}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(stored >= 60, "only {stored} objects stored");
}
