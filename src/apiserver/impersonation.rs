//! Impersonation (`k8s.io/apiserver/pkg/endpoints/filters/impersonation.go`): after
//! authentication, a request carrying `Impersonate-User` (with `Impersonate-Group`,
//! `Impersonate-Uid` and `Impersonate-Extra-<key>`) runs as the user it names, provided the
//! authenticated user may `impersonate` each of them (`users`, `groups`, `serviceaccounts`,
//! `uids`, `userextras/<key>`). This is what `kubectl --as` and `--as-group` send.

use std::collections::BTreeMap;

use serde_json::Value;

use super::authn::{
    split_service_account_username, UserInfo, ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS_GROUP,
    ALL_UNAUTHENTICATED, ANONYMOUS,
};
use super::authz::attributes::Attributes;
use super::request::{decode_component, HttpRequest};

/// `authenticationv1.ImpersonateUserHeader` and friends.
pub const IMPERSONATE_USER: &str = "Impersonate-User";
pub const IMPERSONATE_GROUP: &str = "Impersonate-Group";
pub const IMPERSONATE_UID: &str = "Impersonate-Uid";
pub const IMPERSONATE_EXTRA_PREFIX: &str = "Impersonate-Extra-";

/// One thing the requester asks to act as (the filter's `v1.ObjectReference`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    User(String),
    ServiceAccount { namespace: String, name: String },
    Group(String),
    Extra { key: String, value: String },
    Uid(String),
}

impl Target {
    /// The authorization check for acting as this target.
    fn attributes(&self, requestor: &UserInfo) -> Attributes {
        let (group, resource, subresource, namespace, name) = match self {
            Target::User(n) => ("", "users", "", "", n.as_str()),
            Target::ServiceAccount { namespace, name } => {
                ("", "serviceaccounts", "", namespace.as_str(), name.as_str())
            }
            Target::Group(n) => ("", "groups", "", "", n.as_str()),
            Target::Extra { key, value } => (
                "authentication.k8s.io",
                "userextras",
                key.as_str(),
                "",
                value.as_str(),
            ),
            Target::Uid(u) => ("authentication.k8s.io", "uids", "", "", u.as_str()),
        };
        let mut a = Attributes::resource(
            requestor,
            "impersonate",
            namespace,
            group,
            resource,
            subresource,
            name,
        );
        if !group.is_empty() {
            a.api_version = "v1".to_string();
        }
        a
    }

    /// Go's `%v` of the `v1.ObjectReference` (Kind, Namespace, Name, UID, APIVersion,
    /// ResourceVersion, FieldPath), for the error of a request without a user.
    fn go_value(&self) -> String {
        let (kind, namespace, name, api_version, field_path) = match self {
            Target::User(n) => ("User", "", n.as_str(), "", ""),
            Target::ServiceAccount { namespace, name } => {
                ("ServiceAccount", namespace.as_str(), name.as_str(), "", "")
            }
            Target::Group(n) => ("Group", "", n.as_str(), "", ""),
            Target::Extra { key, value } => (
                "UserExtra",
                "",
                value.as_str(),
                "authentication.k8s.io/v1",
                key.as_str(),
            ),
            Target::Uid(u) => ("UID", "", u.as_str(), "authentication.k8s.io/v1", ""),
        };
        format!("{{{kind} {namespace} {name}  {api_version}  {field_path}}}")
    }
}

/// Why impersonation refused the request.
#[derive(Clone, Debug, PartialEq)]
pub enum ImpersonationError {
    /// 403: the requester may not act as one of the targets (the Status body).
    Forbidden(Value),
    /// 500: groups, extras or a uid without a user (`buildImpersonationRequests`' error).
    WithoutUser(String),
}

/// `buildImpersonationRequests`: what the headers ask for, in header order.
fn targets(req: &HttpRequest) -> Result<Vec<Target>, ImpersonationError> {
    let mut out = Vec::new();
    // `headers.Get`: the first value only.
    let user = req.header_value(IMPERSONATE_USER).unwrap_or("");
    let has_user = !user.is_empty();
    if has_user {
        out.push(match split_service_account_username(user) {
            Some((namespace, name)) => Target::ServiceAccount {
                namespace: namespace.to_string(),
                name: name.to_string(),
            },
            None => Target::User(user.to_string()),
        });
    }
    let mut others = false;
    for (name, value) in &req.headers {
        if name.eq_ignore_ascii_case(IMPERSONATE_GROUP) {
            others = true;
            out.push(Target::Group(value.clone()));
        }
    }
    for (name, value) in &req.headers {
        let Some(key) = strip_prefix_ignore_case(name, IMPERSONATE_EXTRA_PREFIX) else {
            continue;
        };
        others = true;
        // `unescapeExtraKey`: extra keys travel percent-encoded (they may hold `/`).
        let key = decode_component(&key.to_ascii_lowercase().replace('+', "%2B"));
        out.push(Target::Extra {
            key,
            value: value.clone(),
        });
    }
    let uid = req.header_value(IMPERSONATE_UID).unwrap_or("");
    if !uid.is_empty() {
        others = true;
        out.push(Target::Uid(uid.to_string()));
    }
    if others && !has_user {
        let list: Vec<String> = out.iter().map(Target::go_value).collect();
        return Err(ImpersonationError::WithoutUser(format!(
            "requested [{}] without impersonating a user",
            list.join(" ")
        )));
    }
    Ok(out)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() > prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

/// Whether the request asks to impersonate anyone.
pub fn requested(req: &HttpRequest) -> bool {
    req.headers.iter().any(|(n, _)| {
        n.eq_ignore_ascii_case(IMPERSONATE_USER)
            || n.eq_ignore_ascii_case(IMPERSONATE_GROUP)
            || n.eq_ignore_ascii_case(IMPERSONATE_UID)
            || strip_prefix_ignore_case(n, IMPERSONATE_EXTRA_PREFIX).is_some()
    })
}

/// `WithImpersonation`: the user the request runs as, after checking with `authorize` (which
/// answers the 403 Status for a refusal) that `requestor` may act as every target. `Ok(None)`
/// when the request impersonates no one.
pub fn impersonate(
    requestor: &UserInfo,
    req: &HttpRequest,
    authorize: impl Fn(&Attributes) -> Result<(), Value>,
) -> Result<Option<UserInfo>, ImpersonationError> {
    let targets = targets(req)?;
    if targets.is_empty() {
        return Ok(None);
    }
    // Groups given are the authority (system:authenticated included or not); otherwise a
    // service account's groups follow from its name.
    let groups_specified = req
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(IMPERSONATE_GROUP));
    let mut name = String::new();
    let mut groups: Vec<String> = Vec::new();
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut uid = String::new();
    for target in &targets {
        match target {
            Target::User(n) => name = n.clone(),
            Target::ServiceAccount { namespace, name: n } => {
                name = super::authn::service_account_username(namespace, n);
                if !groups_specified {
                    groups = vec![
                        ALL_SERVICE_ACCOUNTS_GROUP.to_string(),
                        format!("{ALL_SERVICE_ACCOUNTS_GROUP}:{namespace}"),
                    ];
                }
            }
            Target::Group(g) => groups.push(g.clone()),
            Target::Extra { key, value } => {
                extra.entry(key.clone()).or_default().push(value.clone())
            }
            Target::Uid(u) => uid = u.clone(),
        }
        authorize(&target.attributes(requestor)).map_err(ImpersonationError::Forbidden)?;
    }
    if name != ANONYMOUS {
        if !groups
            .iter()
            .any(|g| g == ALL_AUTHENTICATED || g == ALL_UNAUTHENTICATED)
        {
            groups.push(ALL_AUTHENTICATED.to_string());
        }
    } else if !groups.iter().any(|g| g == ALL_UNAUTHENTICATED) {
        groups.push(ALL_UNAUTHENTICATED.to_string());
    }
    Ok(Some(UserInfo {
        name,
        uid,
        groups,
        extra,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> UserInfo {
        UserInfo::new(
            "kubernetes-admin",
            &["kubeadm:cluster-admins", ALL_AUTHENTICATED],
        )
    }

    fn allow_all(_: &Attributes) -> Result<(), Value> {
        Ok(())
    }

    #[test]
    fn a_request_without_headers_impersonates_no_one() {
        let req = HttpRequest::new("GET", "/api/v1/pods");
        assert!(!requested(&req));
        assert_eq!(impersonate(&admin(), &req, allow_all), Ok(None));
    }

    #[test]
    fn as_a_user_adds_system_authenticated() {
        let req = HttpRequest::new("GET", "/api/v1/pods").header("Impersonate-User", "jane");
        assert!(requested(&req));
        let user = impersonate(&admin(), &req, allow_all).unwrap().unwrap();
        assert_eq!(user, UserInfo::new("jane", &[ALL_AUTHENTICATED]));
    }

    #[test]
    fn groups_given_are_the_authority() {
        let req = HttpRequest::new("GET", "/api/v1/pods")
            .header("Impersonate-User", "system:serviceaccount:default:builder")
            .header("Impersonate-Group", "devs")
            .header("Impersonate-Group", "system:unauthenticated");
        let user = impersonate(&admin(), &req, allow_all).unwrap().unwrap();
        assert_eq!(user.name, "system:serviceaccount:default:builder");
        assert_eq!(user.groups, vec!["devs", "system:unauthenticated"]);
        let req = HttpRequest::new("GET", "/api/v1/pods")
            .header("Impersonate-User", "system:serviceaccount:default:builder");
        let user = impersonate(&admin(), &req, allow_all).unwrap().unwrap();
        assert_eq!(
            user.groups,
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:default",
                "system:authenticated"
            ]
        );
    }

    #[test]
    fn extras_and_uid_are_checked_and_carried() {
        let req = HttpRequest::new("GET", "/api/v1/pods")
            .header("Impersonate-User", "jane")
            .header("Impersonate-Uid", "1001")
            .header("Impersonate-Extra-Acme.com%2Fproject", "blue");
        let seen = std::cell::RefCell::new(Vec::new());
        let user = impersonate(&admin(), &req, |a| {
            seen.borrow_mut().push(a.forbidden_message());
            Ok(())
        })
        .unwrap()
        .unwrap();
        assert_eq!(user.uid, "1001");
        assert_eq!(user.extra["acme.com/project"], vec!["blue"]);
        assert_eq!(
            seen.into_inner(),
            vec![
                r#"User "kubernetes-admin" cannot impersonate resource "users" in API group "" at the cluster scope"#,
                r#"User "kubernetes-admin" cannot impersonate resource "userextras/acme.com/project" in API group "authentication.k8s.io" at the cluster scope"#,
                r#"User "kubernetes-admin" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope"#,
            ]
        );
    }

    #[test]
    fn a_refusal_is_the_forbidden_status_of_the_target() {
        let jane = UserInfo::new("jane", &[ALL_AUTHENTICATED]);
        let req = HttpRequest::new("GET", "/api/v1/pods").header("Impersonate-User", "bob");
        let err = impersonate(&jane, &req, |a| Err(a.forbidden_status(""))).unwrap_err();
        let ImpersonationError::Forbidden(status) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            status["message"],
            r#"users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope"#
        );
        assert_eq!(status["details"]["kind"], "users");
        assert_eq!(status["details"]["name"], "bob");
    }

    #[test]
    fn groups_without_a_user_are_an_error() {
        let req = HttpRequest::new("GET", "/api/v1/pods").header("Impersonate-Group", "devs");
        assert_eq!(
            impersonate(&admin(), &req, allow_all),
            Err(ImpersonationError::WithoutUser(
                "requested [{Group  devs    }] without impersonating a user".into()
            ))
        );
    }
}
