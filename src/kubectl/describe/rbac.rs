//! Describers of rbac.authorization.k8s.io/v1: Role and ClusterRole (their rules broken
//! down and compacted as `kubectl/pkg/util/rbac` does), RoleBinding and ClusterRoleBinding.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    arr, print_annotations_multiline, print_labels_multiline, str_of, Ctx, PrefixWriter, LEVEL_0,
    LEVEL_1,
};
use crate::kubectl::io::Res;

/// A `PolicyRule`'s lists.
#[derive(Clone, Debug, Default, PartialEq)]
struct Rule {
    verbs: Vec<String>,
    api_groups: Vec<String>,
    resources: Vec<String>,
    resource_names: Vec<String>,
    non_resource_urls: Vec<String>,
}

fn strings(v: &Value) -> Vec<String> {
    arr(v).iter().map(|s| str_of(s).to_string()).collect()
}

/// Go's `%v` of a `[]string`.
fn list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

impl Rule {
    fn from_json(r: &Value) -> Rule {
        Rule {
            verbs: strings(&r["verbs"]),
            api_groups: strings(&r["apiGroups"]),
            resources: strings(&r["resources"]),
            resource_names: strings(&r["resourceNames"]),
            non_resource_urls: strings(&r["nonResourceURLs"]),
        }
    }

    /// The generated `PolicyRule.String()`, which `SortableRuleSlice` compares.
    fn go_string(&self) -> String {
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            list(&self.verbs),
            list(&self.api_groups),
            list(&self.resources),
            list(&self.resource_names),
            list(&self.non_resource_urls)
        )
    }
}

/// `rbac.BreakdownRule`: one verb, one resource and at most one name per rule.
fn breakdown(rule: &Rule) -> Vec<Rule> {
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let one = |names: Vec<String>| Rule {
                    verbs: vec![verb.clone()],
                    api_groups: vec![group.clone()],
                    resources: vec![resource.clone()],
                    resource_names: names,
                    non_resource_urls: Vec::new(),
                };
                if rule.resource_names.is_empty() {
                    out.push(one(Vec::new()));
                } else {
                    for name in &rule.resource_names {
                        out.push(one(vec![name.clone()]));
                    }
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

/// `rbac.CompactRules`: simple rules (one group, one resource, at most one name) that differ
/// only by verb become one, then `sort.Stable(SortableRuleSlice)`.
fn compact(rules: Vec<Rule>) -> Vec<Rule> {
    let mut compacted = Vec::new();
    let mut simple: BTreeMap<(String, String, Option<String>), Rule> = BTreeMap::new();
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
        match simple.get_mut(&key) {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => {
                simple.insert(key, rule);
            }
        }
    }
    compacted.extend(simple.into_values());
    compacted.sort_by_key(Rule::go_string);
    compacted
}

/// `CombineResourceGroup`: `deployments.apps/scale`.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else {
        return String::new();
    };
    let (res, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut out = res.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        out = format!("{out}.{g}");
    }
    if let Some(s) = sub {
        out = format!("{out}/{s}");
    }
    out
}

/// `RoleDescriber` and `ClusterRoleDescriber`.
pub fn describe_role(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let role = cx.get(path)?;
    let rules: Vec<Rule> = arr(&role["rules"])
        .iter()
        .flat_map(|r| breakdown(&Rule::from_json(r)))
        .collect();
    let rules = compact(rules);
    let mut w = PrefixWriter::new();
    let meta = &role["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(LEVEL_0, "PolicyRule:\n");
    w.write(
        LEVEL_1,
        "Resources\tNon-Resource URLs\tResource Names\tVerbs\n",
    );
    w.write(
        LEVEL_1,
        "---------\t-----------------\t--------------\t-----\n",
    );
    for r in &rules {
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{}\t{}\n",
                combine_resource_group(&r.resources, &r.api_groups),
                list(&r.non_resource_urls),
                list(&r.resource_names),
                list(&r.verbs)
            ),
        );
    }
    Ok(w.finish())
}

/// `RoleBindingDescriber` and `ClusterRoleBindingDescriber`.
pub fn describe_binding(cx: &mut Ctx<'_, '_, '_>, path: &str) -> Res<String> {
    let b = cx.get(path)?;
    let mut w = PrefixWriter::new();
    let meta = &b["metadata"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    w.write(LEVEL_0, "Role:\n");
    w.write(
        LEVEL_1,
        &format!("Kind:\t{}\n", str_of(&b["roleRef"]["kind"])),
    );
    w.write(
        LEVEL_1,
        &format!("Name:\t{}\n", str_of(&b["roleRef"]["name"])),
    );
    w.write(LEVEL_0, "Subjects:\n");
    w.write(LEVEL_1, "Kind\tName\tNamespace\n");
    w.write(LEVEL_1, "----\t----\t---------\n");
    for s in arr(&b["subjects"]) {
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{}\n",
                str_of(&s["kind"]),
                str_of(&s["name"]),
                str_of(&s["namespace"])
            ),
        );
    }
    Ok(w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_are_broken_down_compacted_and_sorted_by_their_go_string() {
        let rules: Vec<Rule> = [
            json!({"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}),
            json!({"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["watch"]}),
            json!({"nonResourceURLs": ["/healthz"], "verbs": ["get"]}),
        ]
        .iter()
        .flat_map(|r| breakdown(&Rule::from_json(r)))
        .collect();
        let rows: Vec<String> = compact(rules)
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    combine_resource_group(&r.resources, &r.api_groups),
                    list(&r.non_resource_urls),
                    list(&r.verbs)
                )
            })
            .collect();
        assert_eq!(
            rows,
            // By the Go string, which starts with the verbs: `[get list]` sorts before
            // `[get]`, and `pods/log]` before `pods]`.
            [
                "pods/log [] [get list]",
                "pods [] [get list]",
                " [/healthz] [get]",
                "deployments.apps [] [watch]",
            ]
        );
    }
}
