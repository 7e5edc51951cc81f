//! Bad input never panics the authentication and authorization functions: whatever the
//! request or the (already validated, but who knows) RBAC objects hold, they answer.

use kubestep::apiserver::authn::{Authenticator, ClientCertificate, RequestCredentials, UserInfo};
use kubestep::apiserver::authz::attributes::{parse_field_selector, Attributes};
use kubestep::apiserver::authz::bootstrap_policy::BootstrapPolicy;
use kubestep::apiserver::authz::node::{NodeAuthorizer, NodeGraph};
use kubestep::apiserver::authz::rbac::{aggregate, RbacAuthorizer};
use kubestep::apiserver::authz::subject_access_review::{
    self_subject_access_review, subject_access_review,
};
use kubestep::apiserver::authz::Authorizer;
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z:/*.\"<>&-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("metadata".to_string()),
                    Just("name".to_string()),
                    Just("rules".to_string()),
                    Just("subjects".to_string()),
                    Just("roleRef".to_string()),
                    Just("spec".to_string()),
                    Just("kind".to_string()),
                    Just("resourceAttributes".to_string()),
                    Just("aggregationRule".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn authenticate_any_header(header in ".{0,40}", cn in "[a-z:-]{0,12}", ca in "[a-z]{0,10}") {
        let a = Authenticator::kubestep_default();
        let creds = RequestCredentials {
            client_certificate: Some(ClientCertificate { common_name: cn, organizations: vec![], issuer_common_name: ca }),
            authorization: Some(header),
        };
        let _ = a.authenticate(&creds);
    }

    #[test]
    fn authorize_any_request_against_any_objects(
        objects in prop::collection::vec(arb_json(), 0..6),
        verb in "[a-z*]{0,8}",
        ns in "[a-z-]{0,8}",
        resource in "[a-z*/]{0,10}",
        name in "[a-z<&>-]{0,8}",
        user in "(system:node:|system:serviceaccount:)?[a-z:]{0,10}",
    ) {
        let rbac = RbacAuthorizer::new(&objects, &objects, &objects, &objects);
        let node = NodeAuthorizer::new(NodeGraph::build(&objects, &objects, &objects));
        let authz = Authorizer::new(Some(&node), rbac);
        let u = UserInfo::new(&user, &["system:nodes"]);
        let a = Attributes::resource(&u, &verb, &ns, "", &resource, "", &name);
        let _ = authz.authorize_request(&a);
        let _ = authz.authorize_request(&Attributes::non_resource(&u, &verb, &resource));
        let mut roles = objects.clone();
        let _ = aggregate(&mut roles);
    }

    #[test]
    fn reviews_of_any_shape(review in arb_json(), selector in ".{0,20}") {
        let policy = BootstrapPolicy::kubestep();
        let authz = Authorizer::new(None, policy.rbac());
        let _ = subject_access_review(&review, &authz);
        let _ = self_subject_access_review(&review, &UserInfo::anonymous(), &authz);
        let _ = parse_field_selector(&selector);
    }
}
