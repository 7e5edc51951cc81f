//! cli-runtime's resource builder as the mutating commands use it
//! (`NewBuilder().ResourceTypeOrNameArgs(all, args...).LabelSelectorParam(..).Latest()`): the
//! objects named on the command line, selected by `-l`/`--all`, or read from `-f` files (and
//! then fetched again from the server), each as an [`Info`]. Errors for single objects are
//! collected (`ContinueOnError`) so the command can go on with the others.

use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::request::encode_component;

use super::cmd::get::targets;
use super::cmd::Invocation;
use super::cmdutil::GoErr;
use super::discovery::{ApiResource, Discovery};
use super::io::{Fail, Io, Res};
use super::manifest;

/// An object the builder found.
#[derive(Clone, Debug)]
pub struct Info {
    pub resource: ApiResource,
    pub namespace: String,
    pub name: String,
    pub object: Arc<Value>,
}

impl Info {
    /// The object's URL path.
    pub fn path(&self) -> String {
        if self.resource.namespaced {
            self.resource.object_path(&self.namespace, &self.name)
        } else {
            format!(
                "{}/{}",
                self.resource.collection_path(None),
                encode_component(&self.name)
            )
        }
    }

    /// `deployment.apps/web`, as the name printer writes it.
    pub fn kind_name(&self) -> String {
        format!("{}/{}", self.resource.kind_group(), self.name)
    }

    /// `deployments.apps "web"`: the resource and name as errors quote them.
    pub fn resource_quoted(&self) -> String {
        format!(
            "{} {}",
            self.resource.group_resource(),
            super::client::go_quote(&self.name)
        )
    }

    /// The object with a typed client's view of it: `apiVersion` and `kind` set (list items
    /// come without them).
    pub fn typed(&self) -> Value {
        with_type_meta(&self.object, &self.resource)
    }
}

/// An object with `apiVersion` and `kind` first, as a decoded typed object has them.
pub fn with_type_meta(obj: &Value, r: &ApiResource) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("apiVersion".into(), Value::String(r.group_version()));
    out.insert("kind".into(), Value::String(r.kind.clone()));
    for (k, v) in obj.as_object().into_iter().flatten() {
        if k != "apiVersion" && k != "kind" {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// How a command configured its builder.
#[derive(Clone, Debug)]
pub struct Builder<'a> {
    /// The `Accept` header of the builder's client: `application/json` for `Unstructured()`
    /// builders, `application/json, */*` for typed (`WithScheme`) ones.
    pub accept: &'a str,
    /// `ResourceTypeOrNameArgs(all, ...)`: a bare type means every object of it.
    pub all: bool,
    pub selector: Option<&'a str>,
    pub field_selector: Option<&'a str>,
    pub all_namespaces: bool,
    /// `LocalParam(true)`: objects come from `-f` files only and the server is never asked
    /// (otherwise objects read from files are fetched from it, as `Latest()` does).
    pub local: bool,
}

impl<'a> Builder<'a> {
    pub fn unstructured() -> Builder<'a> {
        Builder {
            accept: "application/json",
            all: false,
            selector: None,
            field_selector: None,
            all_namespaces: false,
            local: false,
        }
    }

    pub fn typed() -> Builder<'a> {
        Builder {
            accept: "application/json, */*",
            ..Builder::unstructured()
        }
    }
}

/// The builder's answer: objects found, and the errors met on the way.
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub infos: Vec<Info>,
    pub errors: Vec<GoErr>,
}

impl Found {
    /// `r.Infos()`'s error: the aggregate of what went wrong.
    pub fn error(&self) -> Option<GoErr> {
        match self.errors.len() {
            0 => None,
            _ => Some(GoErr::Aggregate(self.errors.clone())),
        }
    }
}

/// The builder's error when nothing at all was named.
pub fn no_resources_error() -> Fail {
    Fail::raw(
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n",
    )
}

/// Runs the builder: the arguments (`TYPE NAME...`, `TYPE/NAME...`) or the `-f` files,
/// resolved through discovery, and each object fetched. Errors that end the whole command
/// (an unknown type, a type without names) are returned as `Err`; a missing object is
/// collected in [`Found::errors`].
pub fn infos(
    io: &mut Io<'_>,
    inv: &Invocation,
    d: &Discovery,
    b: &Builder<'_>,
    args: &[String],
) -> Res<Found> {
    let mut infos = Vec::new();
    let errors = visit(io, inv, d, b, args, &mut |_, info| {
        infos.push(info);
        Ok(None)
    })?;
    Ok(Found { infos, errors })
}

/// What a visitor does with one object; an error is collected and the visit goes on
/// (`ContinueOnError`).
pub type Visitor<'v> = dyn FnMut(&mut Io<'_>, Info) -> Res<Option<GoErr>> + 'v;

/// `Result.Visit`: like [`infos`], but each object is handed to `each` as soon as it is
/// fetched, so a command's requests interleave with the builder's as kubectl's do
/// (`GET a`, `PATCH a`, `GET b`, `PATCH b`). Returns the errors collected.
pub fn visit(
    io: &mut Io<'_>,
    inv: &Invocation,
    d: &Discovery,
    b: &Builder<'_>,
    args: &[String],
    each: &mut Visitor<'_>,
) -> Res<Vec<GoErr>> {
    let files = inv.flags.many("filename");
    if args.is_empty() && files.is_empty() {
        return Err(no_resources_error());
    }
    let mut errors = Vec::new();
    let mut push = |e: Option<GoErr>| {
        if let Some(e) = e {
            errors.push(e);
        }
    };
    if b.local {
        for doc in manifest::read(io, &files, inv.flags.bool("recursive"))? {
            let api_version = doc.object["apiVersion"].as_str().unwrap_or_default();
            let kind = doc.object["kind"].as_str().unwrap_or_default();
            let (name, ns) = manifest::name_of(&doc.object);
            let Some(r) = d.for_kind(api_version, kind) else {
                return Err(super::cmd::get::no_mapping(
                    name,
                    ns,
                    &doc.source,
                    api_version,
                    kind,
                ));
            };
            let info = Info {
                resource: r.clone(),
                namespace: ns.unwrap_or(&inv.client.namespace).to_string(),
                name: name.to_string(),
                object: Arc::new(doc.object.clone()),
            };
            push(each(io, info)?);
        }
        return Ok(errors);
    }
    let targets = targets(io, inv, d, args)?;
    let by_selector = b.selector.is_some() || b.field_selector.is_some() || b.all;
    if files.is_empty() && !by_selector && targets.iter().any(|t| t.names.is_empty()) {
        return Err(Fail::msg(
            "resource(s) were provided, but no name was specified",
        ));
    }
    for t in &targets {
        let ns = t
            .namespace
            .clone()
            .unwrap_or_else(|| inv.client.namespace.clone());
        if t.names.is_empty() {
            let scope = (!b.all_namespaces).then_some(ns.as_str());
            let mut q = Vec::new();
            if let Some(s) = b.selector {
                q.push(format!("labelSelector={}", encode_component(s)));
            }
            if let Some(s) = b.field_selector {
                q.push(format!("fieldSelector={}", encode_component(s)));
            }
            let mut path = t.resource.collection_path(scope);
            if !q.is_empty() {
                path = format!("{path}?{}", q.join("&"));
            }
            let r = io.call(inv.client.request("GET", &path, b.accept))?;
            let Some(list) = r.body_json().filter(|_| r.status == 200) else {
                push(Some(GoErr::from_response(&r)));
                continue;
            };
            for item in list["items"].as_array().into_iter().flatten() {
                let name = item["metadata"]["name"].as_str().unwrap_or_default();
                let item_ns = item["metadata"]["namespace"].as_str().unwrap_or(&ns);
                let info = Info {
                    resource: t.resource.clone(),
                    namespace: item_ns.to_string(),
                    name: name.to_string(),
                    object: Arc::new(with_type_meta(item, &t.resource)),
                };
                push(each(io, info)?);
            }
            continue;
        }
        for name in &t.names {
            let info = Info {
                resource: t.resource.clone(),
                namespace: ns.clone(),
                name: name.clone(),
                object: Arc::new(Value::Null),
            };
            let scope = if info.resource.namespaced {
                info.namespace.as_str()
            } else {
                ""
            };
            let r = inv.client.info_get(io, &info.path(), scope, b.accept)?;
            match r.body_json().filter(|_| r.status == 200) {
                Some(obj) => push(each(
                    io,
                    Info {
                        object: obj,
                        ..info
                    },
                )?),
                None => push(Some(GoErr::from_response(&r))),
            }
        }
    }
    Ok(errors)
}

/// Fetches one object by path for a typed client (`Accept` of client-go's clientset:
/// protobuf preferred; kubestep's API server answers JSON).
pub const CLIENTSET_ACCEPT: &str = "application/vnd.kubernetes.protobuf,application/json";

/// The `Accept` header of the scale client and of `resource.Helper` on a typed mapping.
pub const JSON_ANY_ACCEPT: &str = "application/json, */*";
