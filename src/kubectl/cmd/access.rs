//! Who am I and what may I do: `auth whoami` (a SelfSubjectReview), `auth can-i --list` (a
//! SelfSubjectRulesReview printed as kubectl's `printStatus` does: rules broken down, compacted
//! and sorted) and `create token` (a TokenRequest for a service account), as kubectl 1.33's
//! `cmd/auth/whoami.go`, `cmd/auth/cani.go` and `cmd/create/create_token.go` run them.

use serde_json::{json, Value};

use super::{Command, Invocation};
use crate::kubectl::client::{ok_json, status_error};
use crate::kubectl::cmdutil;
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::output::{print_object_typed, tabwrite};
use crate::kubectl::resource::CLIENTSET_ACCEPT;

/// `genericclioptions.PrintFlags` without a default output (what whoami and create token add).
macro_rules! print_flags {
    ($($extra:expr),* $(,)?) => {
        &[
            str_flag("output", Some('o')),
            bool_flag("allow-missing-template-keys", None),
            bool_flag("show-managed-fields", None),
            str_flag("template", None),
            $($extra),*
        ]
    };
}

const WHOAMI_FLAGS: &[Flag] = print_flags!();

const TOKEN_FLAGS: &[Flag] = print_flags!(
    flag(
        "audience",
        None,
        Kind::Many {
            split_commas: false
        }
    ),
    str_flag("duration", None),
    str_flag("bound-object-kind", None),
    str_flag("bound-object-name", None),
    str_flag("bound-object-uid", None),
);

pub fn commands() -> Vec<Command> {
    vec![
        Command {
            path: "auth whoami",
            flags: WHOAMI_FLAGS,
            run: whoami,
            help: include_str!("../help/auth_whoami.txt"),
        },
        Command {
            path: "create token",
            flags: TOKEN_FLAGS,
            run: create_token,
            help: include_str!("../help/create_token.txt"),
        },
    ]
}

/// `POST <path>` of a typed client (protobuf preferred; kubestep's kubectl sends JSON).
fn create_typed(
    io: &mut Io<'_>,
    inv: &Invocation,
    path: &str,
    body: &Value,
) -> Res<crate::apiserver::request::HttpResponse> {
    let request = inv
        .client
        .request("POST", path, CLIENTSET_ACCEPT)
        .header("Content-Type", "application/json")
        .body(cmdutil::go_marshal_ordered(body));
    io.call(request)
}

// ---- auth whoami ----------------------------------------------------------------------------

/// `forbiddenErr`.
const WHOAMI_FORBIDDEN: &str =
    "the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it";
/// `notEnabledErr`.
const WHOAMI_NOT_ENABLED: &str = "the selfsubjectreviews API is not enabled in the cluster\nenable APISelfSubjectReview feature gate and authentication.k8s.io/v1alpha1 or authentication.k8s.io/v1beta1 API";

fn whoami(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let output = inv.flags.str("output").filter(|o| !o.is_empty());
    crate::kubectl::output::check_object_output(output)?;
    // authentication.k8s.io/v1 first, then the beta and alpha versions older servers have.
    let mut answer = None;
    for version in ["v1", "v1beta1", "v1alpha1"] {
        let body = json!({
            "kind": "SelfSubjectReview",
            "apiVersion": format!("authentication.k8s.io/{version}"),
            "metadata": {"creationTimestamp": null},
            "status": {"userInfo": {}},
        });
        let path = format!("/apis/authentication.k8s.io/{version}/selfsubjectreviews");
        let r = create_typed(io, inv, &path, &body)?;
        if r.status != 404 {
            answer = Some(r);
            break;
        }
    }
    let r = match answer {
        None => return Err(Fail::msg(WHOAMI_NOT_ENABLED)),
        Some(r) if r.status == 403 => return Err(Fail::msg(WHOAMI_FORBIDDEN)),
        Some(r) => r,
    };
    let review = ok_json(&r)?;
    if let Some(format) = output {
        io.print(print_object_typed(&review, format)?);
        return Ok(());
    }
    let user = &review["status"]["userInfo"];
    let mut text = "ATTRIBUTE\tVALUE\n".to_string();
    let field = |k: &str| user[k].as_str().unwrap_or_default().to_string();
    if !field("username").is_empty() {
        text += &format!("Username\t{}\n", field("username"));
    }
    if !field("uid").is_empty() {
        text += &format!("UID\t{}\n", field("uid"));
    }
    let groups = strings(&user["groups"]);
    if !groups.is_empty() {
        text += &format!("Groups\t{}\n", go_list(&groups));
    }
    // Extra keys sorted (`sets.StringKeySet(...).List()`).
    if let Some(extra) = user["extra"].as_object() {
        let mut keys: Vec<&String> = extra.keys().collect();
        keys.sort();
        for k in keys {
            text += &format!("Extra: {k}\t{}\n", go_list(&strings(&extra[k])));
        }
    }
    io.print(tabwrite(&text));
    Ok(())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// Go's `%v` of a `[]string`: `[a b c]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

// ---- auth can-i --list ----------------------------------------------------------------------

/// `rbacv1.PolicyRule` as `printStatus` handles it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Rule {
    verbs: Vec<String>,
    api_groups: Vec<String>,
    resources: Vec<String>,
    resource_names: Vec<String>,
    non_resource_urls: Vec<String>,
}

impl Rule {
    /// The generated `PolicyRule.String()`, by which `SortableRuleSlice` sorts.
    fn string(&self) -> String {
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            go_list(&self.verbs),
            go_list(&self.api_groups),
            go_list(&self.resources),
            go_list(&self.resource_names),
            go_list(&self.non_resource_urls)
        )
    }
}

/// `convertToPolicyRule`: the resource rules, then the non-resource ones.
fn policy_rules(status: &Value) -> Vec<Rule> {
    let mut out = Vec::new();
    for r in status["resourceRules"].as_array().into_iter().flatten() {
        out.push(Rule {
            verbs: strings(&r["verbs"]),
            api_groups: strings(&r["apiGroups"]),
            resources: strings(&r["resources"]),
            resource_names: strings(&r["resourceNames"]),
            non_resource_urls: Vec::new(),
        });
    }
    for r in status["nonResourceRules"].as_array().into_iter().flatten() {
        out.push(Rule {
            verbs: strings(&r["verbs"]),
            non_resource_urls: strings(&r["nonResourceURLs"]),
            ..Rule::default()
        });
    }
    out
}

/// `rbacutil.BreakdownRule`: one rule per group, resource, verb (and resource name); one per
/// non-resource URL and verb. A resource rule without groups breaks down to nothing.
fn breakdown(rule: &Rule) -> Vec<Rule> {
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let names: Vec<Vec<String>> = if rule.resource_names.is_empty() {
                    vec![Vec::new()]
                } else {
                    rule.resource_names
                        .iter()
                        .map(|n| vec![n.clone()])
                        .collect()
                };
                for resource_names in names {
                    out.push(Rule {
                        verbs: vec![verb.clone()],
                        api_groups: vec![group.clone()],
                        resources: vec![resource.clone()],
                        resource_names,
                        non_resource_urls: Vec::new(),
                    });
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(Rule {
                verbs: vec![verb.clone()],
                non_resource_urls: vec![url.clone()],
                ..Rule::default()
            });
        }
    }
    out
}

/// `simpleResource`: the group, resource and (at most one) resource name of a rule.
type SimpleResource = (String, String, Option<String>);

/// `rbacutil.CompactRules`: rules of a single group and resource (and at most one name) that
/// differ only by verb are merged, their verbs appended in the order met; the others stay as
/// they are, ahead of the merged ones.
fn compact(rules: Vec<Rule>) -> Vec<Rule> {
    let mut compacted = Vec::new();
    let mut simple: Vec<(SimpleResource, Rule)> = Vec::new();
    for rule in rules {
        let is_simple = rule.resource_names.len() <= 1
            && rule.non_resource_urls.is_empty()
            && rule.api_groups.len() == 1
            && rule.resources.len() == 1;
        if !is_simple {
            compacted.push(rule);
            continue;
        }
        let key = (
            rule.api_groups[0].clone(),
            rule.resources[0].clone(),
            rule.resource_names.first().cloned(),
        );
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => existing.verbs.extend(rule.verbs),
            None => simple.push((key, rule)),
        }
    }
    // Go appends the merged rules in map order; the stable sort that follows by the rules'
    // text makes the order of distinct rules deterministic.
    compacted.extend(simple.into_iter().map(|(_, r)| r));
    compacted
}

/// `describe.CombineResourceGroup`: `resource.group/subresource`.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else {
        return String::new();
    };
    let (resource, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut out = resource.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        out = format!("{out}.{g}");
    }
    if let Some(s) = sub {
        out = format!("{out}/{s}");
    }
    out
}

/// `printStatus`: a warning when the list is incomplete, then the rules as a table.
fn print_rules(status: &Value, no_headers: bool) -> String {
    let mut out = String::new();
    if status["incomplete"].as_bool().unwrap_or(false) {
        out += &format!(
            "Warning: the list may be incomplete: {}\n",
            status["evaluationError"].as_str().unwrap_or_default()
        );
    }
    let broken: Vec<Rule> = policy_rules(status).iter().flat_map(breakdown).collect();
    let mut rules = compact(broken);
    rules.sort_by_cached_key(Rule::string);
    let mut table = String::new();
    if !no_headers {
        table += "Resources\tNon-Resource URLs\tResource Names\tVerbs\n";
    }
    for r in &rules {
        table += &format!(
            "{}\t{}\t{}\t{}\n",
            combine_resource_group(&r.resources, &r.api_groups),
            go_list(&r.non_resource_urls),
            go_list(&r.resource_names),
            go_list(&r.verbs)
        );
    }
    out + &tabwrite(&table)
}

/// `kubectl auth can-i --list`: what the user may do in the namespace (`RunAccessList`).
pub fn can_i_list(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if !inv.args().is_empty() {
        return Err(Fail::msg("list option must be specified with no arguments"));
    }
    if f.bool("quiet")
        || f.bool("all-namespaces")
        || f.str("subresource").is_some_and(|s| !s.is_empty())
    {
        return Err(Fail::msg(
            "list option can't be specified with neither quiet, all-namespaces nor subresource options",
        ));
    }
    let body = json!({
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": {"namespace": inv.client.namespace},
        "status": {"resourceRules": null, "nonResourceRules": null, "incomplete": false},
    });
    let r = create_typed(
        io,
        inv,
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
        &body,
    )?;
    if !(200..300).contains(&r.status) {
        return Err(status_error(&r));
    }
    let review = ok_json(&r)?;
    io.print(print_rules(&review["status"], f.bool("no-headers")));
    Ok(())
}

// ---- create token ---------------------------------------------------------------------------

/// The kinds `--bound-object-kind` accepts (`boundObjectKindToAPIVersions`), sorted.
const BOUND_KINDS: [&str; 3] = ["Node", "Pod", "Secret"];

fn create_token(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    // Complete: the name, then the printer.
    let args = inv.args();
    let before_dash = f.after_dash.unwrap_or(args.len());
    if before_dash != 1 {
        return Err(inv.usage_error(&format!("exactly one NAME is required, got {before_dash}")));
    }
    let name = args[0].clone();
    let output = f.str("output").filter(|o| !o.is_empty());
    crate::kubectl::output::check_object_output(output)?;
    // Validate.
    let duration_ms = match f.str("duration") {
        None => 0,
        Some(text) => match text.strip_prefix('-') {
            // Go parses a negative duration; the command then refuses it.
            Some(positive) if cmdutil::parse_duration("duration", positive).is_ok() => {
                return Err(Fail::msg("--duration must be greater than or equal to 0"))
            }
            _ => cmdutil::parse_duration("duration", text).map_err(|e| match e {
                // A flag's parse error comes with pflag's usage line.
                Fail::Error { text, code } => Fail::Error {
                    text: format!("{text}See 'kubectl create token --help' for usage.\n"),
                    code,
                },
                other => other,
            })?,
        },
    };
    if duration_ms % 1000 != 0 {
        return Err(Fail::msg(
            "--duration cannot be expressed in units less than seconds",
        ));
    }
    let audiences = f.many("audience");
    if audiences.iter().any(String::is_empty) {
        return Err(Fail::msg("--audience must not be an empty string"));
    }
    let kind = f.str_or("bound-object-kind", "");
    let bound_name = f.str_or("bound-object-name", "");
    let bound_uid = f.str_or("bound-object-uid", "");
    if kind.is_empty() {
        if !bound_name.is_empty() {
            return Err(Fail::msg(
                "--bound-object-name can only be set if --bound-object-kind is provided",
            ));
        }
        if !bound_uid.is_empty() {
            return Err(Fail::msg(
                "--bound-object-uid can only be set if --bound-object-kind is provided",
            ));
        }
    } else {
        if !BOUND_KINDS.contains(&kind) {
            return Err(Fail::msg(format!(
                "supported --bound-object-kind values are {}",
                BOUND_KINDS.join(", ")
            )));
        }
        if bound_name.is_empty() {
            return Err(Fail::msg(
                "--bound-object-name is required if --bound-object-kind is provided",
            ));
        }
    }
    // Run: the TokenRequest as the typed client encodes it.
    let mut spec = serde_json::Map::new();
    spec.insert(
        "audiences".into(),
        if audiences.is_empty() {
            Value::Null
        } else {
            json!(audiences)
        },
    );
    // A nil pointer without omitempty: `null` when the server is to choose.
    spec.insert(
        "expirationSeconds".into(),
        if duration_ms > 0 {
            json!(duration_ms / 1000)
        } else {
            Value::Null
        },
    );
    spec.insert(
        "boundObjectRef".into(),
        if kind.is_empty() {
            Value::Null
        } else {
            let mut r = serde_json::Map::new();
            r.insert("kind".into(), json!(kind));
            r.insert("apiVersion".into(), json!("v1"));
            r.insert("name".into(), json!(bound_name));
            if !bound_uid.is_empty() {
                r.insert("uid".into(), json!(bound_uid));
            }
            Value::Object(r)
        },
    );
    let body = json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": Value::Object(spec),
        "status": {"token": "", "expirationTimestamp": null},
    });
    let path = format!(
        "/api/v1/namespaces/{}/serviceaccounts/{}/token",
        inv.client.namespace,
        crate::apiserver::request::encode_component(&name)
    );
    let r = create_typed(io, inv, &path, &body)?;
    if !(200..300).contains(&r.status) {
        let e = cmdutil::GoErr::from_response(&r).error();
        return Err(Fail::msg(format!("failed to create token: {e}")));
    }
    let answer = ok_json(&r)?;
    let token = answer["status"]["token"].as_str().unwrap_or_default();
    if token.is_empty() {
        return Err(Fail::msg(
            "failed to create token: no token in server response",
        ));
    }
    if let Some(format) = output {
        io.print(print_object_typed(&answer, format)?);
        return Ok(());
    }
    // kubectl ends the token with a newline when it writes to a terminal, as the console is.
    io.print(format!("{token}\n"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Value {
        json!({"verbs": verbs, "apiGroups": groups, "resources": resources})
    }

    #[test]
    fn rules_are_broken_down_compacted_and_sorted_as_kubectl_prints_them() {
        let status = json!({
            "resourceRules": [
                rule(&["get", "list"], &[""], &["pods", "pods/log"]),
                rule(&["create"], &["authorization.k8s.io"], &["selfsubjectaccessreviews"]),
                rule(&["watch"], &[""], &["pods"]),
                {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a", "b"]},
                {"verbs": ["get"], "resources": ["ignored-without-groups"]},
            ],
            "nonResourceRules": [
                {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/api"]},
                {"verbs": ["get"], "nonResourceURLs": ["/healthz"]},
            ],
            "incomplete": false
        });
        assert_eq!(
            print_rules(&status, false),
            "Resources                                       Non-Resource URLs   Resource Names   Verbs\n\
             selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]\n\
             pods                                            []                  []               [get list watch]\n\
             pods/log                                        []                  []               [get list]\n\
             \x20                                               [/api]              []               [get]\n\
             \x20                                               [/healthz]          []               [get]\n\
             \x20                                               [/healthz]          []               [get]\n\
             configmaps                                      []                  [a]              [get]\n\
             configmaps                                      []                  [b]              [get]\n"
        );
        let incomplete = json!({"incomplete": true, "evaluationError": "node authorizer does not support user rule resolution"});
        assert_eq!(
            print_rules(&incomplete, true),
            "Warning: the list may be incomplete: node authorizer does not support user rule resolution\n"
        );
    }

    #[test]
    fn resources_combine_with_their_group_before_the_subresource() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            combine_resource_group(&s(&["deployments/scale"]), &s(&["apps"])),
            "deployments.apps/scale"
        );
        assert_eq!(combine_resource_group(&s(&["*"]), &s(&["*"])), "*.*");
        assert_eq!(combine_resource_group(&s(&["pods"]), &s(&[""])), "pods");
        assert_eq!(combine_resource_group(&[], &s(&["apps"])), "");
    }
}
