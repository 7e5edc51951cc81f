//! The ServiceAccounts controller gives every new namespace its `default` ServiceAccount.

mod controller_support;

use controller_support::*;
use kubestep::apiserver::request::HttpRequest;
use serde_json::json;

#[test]
fn a_new_namespace_gets_a_default_service_account_and_keeps_it() {
    let seed = 41;
    let mut h = Harness::new(seed);
    h.create(
        "/api/v1/namespaces",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}),
    );
    let (s, sa) = h.get("/api/v1/namespaces/team-a/serviceaccounts/default");
    assert_eq!(s, 200, "seed {seed}: {sa}");
    let (s, _) = h.call(HttpRequest::new(
        "DELETE",
        "/api/v1/namespaces/team-a/serviceaccounts/default",
    ));
    assert_eq!(s, 200);
    let (s, again) = h.get("/api/v1/namespaces/team-a/serviceaccounts/default");
    assert_eq!(s, 200, "seed {seed}: recreated");
    assert_ne!(again["metadata"]["uid"], sa["metadata"]["uid"]);
}
