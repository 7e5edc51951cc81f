//! kubectl's view of the API: discovery (aggregated `apidiscovery.k8s.io/v2` documents when the
//! server sends them, the legacy per-group-version lists otherwise), cached for six hours as
//! `~/.kube/cache/discovery` is, and the RESTMapper that turns what the user typed (`po`,
//! `deploy`, `deployments.apps`, `Pod`) into a resource.

use serde_json::Value;

use crate::apiserver::request::HttpRequest;
use crate::sim::{SimDuration, SimTime};

use super::io::{Fail, Io, Res};

/// How long cached discovery stays fresh (kubectl's default since 1.26).
pub const TTL: SimDuration = SimDuration::from_secs(6 * 3600);

pub const AGGREGATED_ACCEPT: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/// One served resource as discovery describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResource {
    pub group: String,
    pub version: String,
    /// Plural name (`pods`).
    pub name: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
}

impl ApiResource {
    /// `apps/v1` or `v1`.
    pub fn group_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, or `pods` for the core group (as `-o name` and errors print).
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.name, self.group)
        }
    }

    /// `deployment.apps` (kind lower-cased with group), as `kubectl get -o name` prints.
    pub fn kind_group(&self) -> String {
        let k = self.kind.to_lowercase();
        if self.group.is_empty() {
            k
        } else {
            format!("{k}.{}", self.group)
        }
    }

    /// The collection path, in `namespace` when namespaced (`None`: across namespaces).
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match (self.namespaced, namespace) {
            (true, Some(ns)) => format!("{base}/namespaces/{ns}/{}", self.name),
            _ => format!("{base}/{}", self.name),
        }
    }

    pub fn object_path(&self, namespace: &str, name: &str) -> String {
        format!(
            "{}/{}",
            self.collection_path(Some(namespace)),
            crate::apiserver::request::encode_component(name)
        )
    }
}

/// Everything discovery found, in discovery order (groups in the server's preferred order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    pub fetched_at: SimTime,
    /// `group/version` strings (`kubectl api-versions`), in server order.
    pub group_versions: Vec<String>,
    /// Resources of each group's preferred version, in server order.
    pub resources: Vec<ApiResource>,
    /// Resources of non-preferred versions (reachable as `deployments.v1.apps`).
    pub other_versions: Vec<ApiResource>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn legacy_resources(group: &str, version: &str, list: &Value) -> Vec<ApiResource> {
    list["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| !r["name"].as_str().unwrap_or("/").contains('/'))
        .map(|r| ApiResource {
            group: group.to_string(),
            version: version.to_string(),
            name: r["name"].as_str().unwrap_or_default().to_string(),
            singular: r["singularName"].as_str().unwrap_or_default().to_string(),
            kind: r["kind"].as_str().unwrap_or_default().to_string(),
            namespaced: r["namespaced"].as_bool().unwrap_or(false),
            verbs: strings(&r["verbs"]),
            short_names: strings(&r["shortNames"]),
            categories: strings(&r["categories"]),
        })
        .collect()
}

/// Resources of one aggregated `APIGroupDiscovery` version entry.
fn aggregated_resources(group: &str, version: &Value) -> Vec<ApiResource> {
    let v = version["version"].as_str().unwrap_or_default();
    version["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| ApiResource {
            group: group.to_string(),
            version: v.to_string(),
            name: r["resource"].as_str().unwrap_or_default().to_string(),
            singular: r["singularResource"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            kind: r["responseKind"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            namespaced: r["scope"].as_str() == Some("Namespaced"),
            verbs: strings(&r["verbs"]),
            short_names: strings(&r["shortNames"]),
            categories: strings(&r["categories"]),
        })
        .collect()
}

fn is_aggregated(body: &Value) -> bool {
    body["kind"].as_str() == Some("APIGroupDiscoveryList")
}

impl Discovery {
    fn add_aggregated(&mut self, list: &Value) {
        for g in list["items"].as_array().into_iter().flatten() {
            let group = g["metadata"]["name"].as_str().unwrap_or_default();
            for (i, v) in g["versions"].as_array().into_iter().flatten().enumerate() {
                let version = v["version"].as_str().unwrap_or_default();
                self.group_versions.push(if group.is_empty() {
                    version.to_string()
                } else {
                    format!("{group}/{version}")
                });
                let rs = aggregated_resources(group, v);
                if i == 0 {
                    self.resources.extend(rs);
                } else {
                    self.other_versions.extend(rs);
                }
            }
        }
    }
}

/// Discovery as kubectl's cached discovery client does it: from the cache when fresh,
/// otherwise `GET /api` and `GET /apis` (aggregated), falling back to one request per group
/// version when the server answers with the legacy documents.
pub fn discover(io: &mut Io<'_>, request: &dyn Fn(&str, &str) -> HttpRequest) -> Res<Discovery> {
    if let Some(d) = &io.cached_discovery {
        if io.now().0 < d.fetched_at.0 + TTL.0 {
            return Ok((**d).clone());
        }
    }
    let mut d = Discovery {
        fetched_at: io.now(),
        ..Discovery::default()
    };
    let api = io.call(request("/api?timeout=32s", AGGREGATED_ACCEPT))?;
    let api_body = api
        .body_json()
        .filter(|_| api.status == 200)
        .ok_or_else(discovery_error)?;
    let apis = io.call(request("/apis?timeout=32s", AGGREGATED_ACCEPT))?;
    let apis_body = apis
        .body_json()
        .filter(|_| apis.status == 200)
        .ok_or_else(discovery_error)?;
    if is_aggregated(&api_body) && is_aggregated(&apis_body) {
        d.add_aggregated(&api_body);
        d.add_aggregated(&apis_body);
    } else {
        let legacy = |io: &mut Io<'_>, path: &str| -> Res<Value> {
            let r = io.call(request(
                &format!("{path}?timeout=32s"),
                "application/json, */*",
            ))?;
            r.body_json()
                .map(|v| (*v).clone())
                .filter(|_| r.status == 200)
                .ok_or_else(discovery_error)
        };
        for v in strings(&api_body["versions"]) {
            let list = legacy(io, &format!("/api/{v}"))?;
            d.group_versions.push(v.clone());
            d.resources.extend(legacy_resources("", &v, &list));
        }
        for g in apis_body["groups"].as_array().into_iter().flatten() {
            let group = g["name"].as_str().unwrap_or_default();
            let preferred = g["preferredVersion"]["version"]
                .as_str()
                .unwrap_or_default();
            let mut versions: Vec<String> = g["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v["version"].as_str().map(str::to_string))
                .collect();
            versions.sort_by_key(|v| v != preferred);
            for v in versions {
                let list = legacy(io, &format!("/apis/{group}/{v}"))?;
                d.group_versions.push(format!("{group}/{v}"));
                let rs = legacy_resources(group, &v, &list);
                if v == preferred {
                    d.resources.extend(rs);
                } else {
                    d.other_versions.extend(rs);
                }
            }
        }
    }
    io.effects.discovery = Some(std::sync::Arc::new(d.clone()));
    Ok(d)
}

fn discovery_error() -> Fail {
    Fail::msg("couldn't get current server API group list: the server could not find the requested resource")
}

/// What the user typed, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    One(ApiResource),
    /// A category (`all`): its resources in kubectl's order.
    Category(Vec<ApiResource>),
}

impl Discovery {
    /// The RESTMapper: `pods`, `pod`, `po`, `Pod`, `deployments.apps`, `deploy.apps`,
    /// `deployments.v1.apps`, or a category such as `all`.
    pub fn resolve(&self, typed: &str) -> Option<Resolved> {
        let lower = typed.to_lowercase();
        let matches = |r: &ApiResource, name: &str| {
            r.name == name
                || r.singular == name
                || r.short_names.iter().any(|s| s == name)
                || r.kind.to_lowercase() == name
        };
        // `resource.version.group` or `resource.group`.
        let pool = || self.resources.iter().chain(self.other_versions.iter());
        if let Some(r) = self.resources.iter().find(|r| matches(r, &lower)) {
            // Core group first, then the others in discovery order: kubectl's priority.
            let core = self
                .resources
                .iter()
                .find(|r| r.group.is_empty() && matches(r, &lower));
            return Some(Resolved::One(core.unwrap_or(r).clone()));
        }
        let mut parts = lower.splitn(2, '.');
        let res = parts.next().unwrap_or_default();
        if let Some(rest) = parts.next() {
            if let Some(r) = pool().find(|r| matches(r, res) && r.group == rest) {
                return Some(Resolved::One(r.clone()));
            }
            if let Some((version, group)) = rest.split_once('.') {
                if let Some(r) =
                    pool().find(|r| matches(r, res) && r.group == group && r.version == version)
                {
                    return Some(Resolved::One(r.clone()));
                }
            }
        }
        let in_category: Vec<ApiResource> = self
            .resources
            .iter()
            .filter(|r| r.categories.contains(&lower))
            .cloned()
            .collect();
        if !in_category.is_empty() {
            return Some(Resolved::Category(order_category(in_category)));
        }
        None
    }

    /// The resource for an object's `apiVersion` and `kind`.
    pub fn for_kind(&self, api_version: &str, kind: &str) -> Option<&ApiResource> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        self.resources
            .iter()
            .chain(self.other_versions.iter())
            .find(|r| r.group == group && r.version == version && r.kind == kind)
    }
}

/// kubectl expands `all` in a fixed order (pods, services, daemonsets, deployments,
/// replicasets, statefulsets, horizontalpodautoscalers, cronjobs, jobs) — the category's
/// order in discovery, which the server lists by its own registration order.
fn order_category(mut rs: Vec<ApiResource>) -> Vec<ApiResource> {
    const ORDER: [&str; 10] = [
        "pods",
        "replicationcontrollers",
        "services",
        "daemonsets",
        "deployments",
        "replicasets",
        "statefulsets",
        "horizontalpodautoscalers",
        "cronjobs",
        "jobs",
    ];
    rs.sort_by_key(|r| {
        ORDER
            .iter()
            .position(|n| *n == r.name)
            .unwrap_or(ORDER.len())
    });
    rs
}
