//! RBAC validation, after `pkg/apis/rbac/validation/validation.go`: Role, ClusterRole,
//! RoleBinding, ClusterRoleBinding.

use serde_json::Value;

use super::field::{go_quote, BadValue, ErrorList, FieldError, Path};
use super::meta::{
    metadata, validate_label_selector, validate_object_meta, validate_object_meta_update,
};
use super::names::{self, NameRule};
use super::value::{arr, str_of, strings, sub};

const GROUP: &str = "rbac.authorization.k8s.io";

/// `ValidatePolicyRule`.
fn validate_policy_rule(rule: &Value, namespaced: bool, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if strings(rule, "verbs").is_empty() {
        errs.push(FieldError::required(
            &p.child("verbs"),
            "verbs must contain at least one value",
        ));
    }
    let urls = rule.get("nonResourceURLs");
    if !strings(rule, "nonResourceURLs").is_empty() {
        if namespaced {
            errs.push(FieldError::invalid(
                &p.child("nonResourceURLs"),
                BadValue::string_slice(urls),
                "namespaced rules cannot apply to non-resource URLs",
            ));
        }
        if !arr(rule, "apiGroups").is_empty()
            || !arr(rule, "resources").is_empty()
            || !arr(rule, "resourceNames").is_empty()
        {
            errs.push(FieldError::invalid(
                &p.child("nonResourceURLs"),
                BadValue::string_slice(urls),
                "rules cannot apply to both regular resources and non-resource URLs",
            ));
        }
        return errs;
    }
    if arr(rule, "apiGroups").is_empty() {
        errs.push(FieldError::required(
            &p.child("apiGroups"),
            "resource rules must supply at least one api group",
        ));
    }
    if arr(rule, "resources").is_empty() {
        errs.push(FieldError::required(
            &p.child("resources"),
            "resource rules must supply at least one resource",
        ));
    }
    errs
}

fn validate_rules(role: &Value, namespaced: bool) -> ErrorList {
    arr(role, "rules")
        .iter()
        .enumerate()
        .flat_map(|(i, r)| validate_policy_rule(r, namespaced, &Path::new("rules").index(i)))
        .collect()
}

/// Role create.
pub fn validate_role(role: &Value) -> ErrorList {
    let mut errs = validate_object_meta(
        metadata(role),
        true,
        NameRule::PathSegment,
        &Path::new("metadata"),
    );
    errs.extend(validate_rules(role, true));
    errs
}

/// Role update.
pub fn validate_role_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_role(new);
    errs.extend(validate_object_meta_update(
        metadata(new),
        metadata(old),
        &Path::new("metadata"),
    ));
    errs
}

/// ClusterRole create.
pub fn validate_cluster_role(role: &Value) -> ErrorList {
    let mut errs = validate_object_meta(
        metadata(role),
        false,
        NameRule::PathSegment,
        &Path::new("metadata"),
    );
    errs.extend(validate_rules(role, false));
    let agg = sub(role, "aggregationRule");
    if agg.is_object() {
        let p = Path::from_names(&["aggregationRule", "clusterRoleSelectors"]);
        let selectors = arr(agg, "clusterRoleSelectors");
        if selectors.is_empty() {
            errs.push(FieldError::required(
                &p,
                "at least one clusterRoleSelector required if aggregationRule is non-nil",
            ));
        }
        for (i, s) in selectors.iter().enumerate() {
            errs.extend(validate_label_selector(s, &p.index(i)));
        }
    }
    errs
}

/// ClusterRole update.
pub fn validate_cluster_role_update(new: &Value, old: &Value) -> ErrorList {
    let mut errs = validate_cluster_role(new);
    errs.extend(validate_object_meta_update(
        metadata(new),
        metadata(old),
        &Path::new("metadata"),
    ));
    errs
}

/// `ValidateRoleBindingSubject`.
fn validate_subject(s: &Value, namespaced: bool, p: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let name = str_of(s, "name");
    if name.is_empty() {
        errs.push(FieldError::required(&p.child("name"), ""));
    }
    let api_group = str_of(s, "apiGroup");
    match str_of(s, "kind") {
        "ServiceAccount" => {
            if !name.is_empty() {
                for m in names::is_dns1123_subdomain(name) {
                    errs.push(FieldError::invalid(&p.child("name"), name, &m));
                }
            }
            if !api_group.is_empty() {
                errs.push(FieldError::not_supported(
                    &p.child("apiGroup"),
                    api_group,
                    &[""],
                ));
            }
            if !namespaced && str_of(s, "namespace").is_empty() {
                errs.push(FieldError::required(&p.child("namespace"), ""));
            }
        }
        "User" | "Group" => {
            if api_group != GROUP {
                errs.push(FieldError::not_supported(
                    &p.child("apiGroup"),
                    api_group,
                    &[GROUP],
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            &p.child("kind"),
            other,
            &["ServiceAccount", "User", "Group"],
        )),
    }
    errs
}

fn validate_binding(b: &Value, namespaced: bool) -> ErrorList {
    let rule = NameRule::PathSegment;
    let mut errs = validate_object_meta(metadata(b), namespaced, rule, &Path::new("metadata"));
    let rr = sub(b, "roleRef");
    let api_group = str_of(rr, "apiGroup");
    if api_group != GROUP {
        errs.push(FieldError::not_supported(
            &Path::from_names(&["roleRef", "apiGroup"]),
            api_group,
            &[GROUP],
        ));
    }
    let kind = str_of(rr, "kind");
    let kinds: &[&str] = if namespaced {
        &["Role", "ClusterRole"]
    } else {
        &["ClusterRole"]
    };
    if !kinds.contains(&kind) {
        errs.push(FieldError::not_supported(
            &Path::from_names(&["roleRef", "kind"]),
            kind,
            kinds,
        ));
    }
    let name = str_of(rr, "name");
    if name.is_empty() {
        errs.push(FieldError::required(
            &Path::from_names(&["roleRef", "name"]),
            "",
        ));
    } else {
        for m in names::validate_name(rule, name, false) {
            errs.push(FieldError::invalid(
                &Path::from_names(&["roleRef", "name"]),
                name,
                &m,
            ));
        }
    }
    for (i, s) in arr(b, "subjects").iter().enumerate() {
        errs.extend(validate_subject(
            s,
            namespaced,
            &Path::new("subjects").index(i),
        ));
    }
    errs
}

fn validate_binding_update(new: &Value, old: &Value, namespaced: bool) -> ErrorList {
    let mut errs = validate_binding(new, namespaced);
    errs.extend(validate_object_meta_update(
        metadata(new),
        metadata(old),
        &Path::new("metadata"),
    ));
    let (nr, or) = (sub(new, "roleRef"), sub(old, "roleRef"));
    let key = |r: &Value| {
        (
            str_of(r, "apiGroup").to_string(),
            str_of(r, "kind").to_string(),
            str_of(r, "name").to_string(),
        )
    };
    if key(nr) != key(or) {
        errs.push(FieldError::invalid(
            &Path::new("roleRef"),
            BadValue::Raw(format!(
                "rbac.RoleRef{{APIGroup:{}, Kind:{}, Name:{}}}",
                go_quote(str_of(nr, "apiGroup")),
                go_quote(str_of(nr, "kind")),
                go_quote(str_of(nr, "name"))
            )),
            "cannot change roleRef",
        ));
    }
    errs
}

/// RoleBinding create.
pub fn validate_role_binding(b: &Value) -> ErrorList {
    validate_binding(b, true)
}

/// RoleBinding update: the roleRef may not change.
pub fn validate_role_binding_update(new: &Value, old: &Value) -> ErrorList {
    validate_binding_update(new, old, true)
}

/// ClusterRoleBinding create.
pub fn validate_cluster_role_binding(b: &Value) -> ErrorList {
    validate_binding(b, false)
}

/// ClusterRoleBinding update.
pub fn validate_cluster_role_binding_update(new: &Value, old: &Value) -> ErrorList {
    validate_binding_update(new, old, false)
}
