//! The admission chain (k8s.io/apiserver/pkg/admission/chain.go): the enabled plugins run in
//! `ORDERED_PLUGINS` order, first every mutating `Admit`, later (after the strategy and
//! validation) every validating `Validate`; the first error stops the request.

use serde_json::Value;

use super::{
    default_storage_class, default_toleration_seconds, limit_ranger, namespace_lifecycle, priority,
    resource_quota, service_account, AdmissionError, Attributes,
};
use crate::sim::Rng;

/// The stored objects the plugins consult (their informers' listers in the real server).
/// Slices may hold objects of every namespace; the plugins pick the request's.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClusterView<'a> {
    pub namespaces: &'a [Value],
    pub service_accounts: &'a [Value],
    pub limit_ranges: &'a [Value],
    pub priority_classes: &'a [Value],
    pub storage_classes: &'a [Value],
    pub resource_quotas: &'a [Value],
}

/// What one plugin did, for the trace (`note` is empty when it changed nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginNote {
    pub plugin: &'static str,
    pub note: String,
}

/// The plugin that rejected the request, and its error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainError {
    pub plugin: &'static str,
    pub error: AdmissionError,
}

/// The mutating phase: NamespaceLifecycle, LimitRanger, ServiceAccount, Priority,
/// DefaultTolerationSeconds, DefaultStorageClass.
pub fn admit(
    attrs: &Attributes<'_>,
    object: Value,
    view: &ClusterView<'_>,
    rng: &mut Rng,
) -> Result<(Value, Vec<PluginNote>), ChainError> {
    let mut notes = Vec::new();
    let mut obj = object;
    let step = |plugin: &'static str,
                r: Result<super::Admitted, AdmissionError>,
                notes: &mut Vec<PluginNote>| {
        r.map(|a| {
            notes.push(PluginNote {
                plugin,
                note: a.note,
            });
            a.object
        })
        .map_err(|error| ChainError { plugin, error })
    };
    obj = step(
        "NamespaceLifecycle",
        namespace_lifecycle::admit(attrs, obj, view.namespaces),
        &mut notes,
    )?;
    obj = step(
        "LimitRanger",
        limit_ranger::admit(attrs, obj, view.limit_ranges),
        &mut notes,
    )?;
    obj = step(
        "ServiceAccount",
        service_account::admit(attrs, obj, view.service_accounts, rng),
        &mut notes,
    )?;
    obj = step(
        "Priority",
        priority::admit(attrs, obj, view.priority_classes),
        &mut notes,
    )?;
    obj = step(
        "DefaultTolerationSeconds",
        default_toleration_seconds::admit(attrs, obj),
        &mut notes,
    )?;
    obj = step(
        "DefaultStorageClass",
        default_storage_class::admit(attrs, obj, view.storage_classes),
        &mut notes,
    )?;
    Ok((obj, notes))
}

/// The validating phase: LimitRanger, Priority, ResourceQuota. On success also returns the
/// ResourceQuotas whose `status.used` the caller must store before the object.
pub fn validate(
    attrs: &Attributes<'_>,
    object: &Value,
    view: &ClusterView<'_>,
) -> Result<(Vec<PluginNote>, Vec<Value>), ChainError> {
    let mut notes = Vec::new();
    limit_ranger::validate(attrs, object, view.limit_ranges).map_err(|error| ChainError {
        plugin: "LimitRanger",
        error,
    })?;
    notes.push(PluginNote {
        plugin: "LimitRanger",
        note: String::new(),
    });
    priority::validate(attrs, object, view.priority_classes).map_err(|error| ChainError {
        plugin: "Priority",
        error,
    })?;
    notes.push(PluginNote {
        plugin: "Priority",
        note: String::new(),
    });
    let charged =
        resource_quota::validate(attrs, object, view.resource_quotas).map_err(|error| {
            ChainError {
                plugin: "ResourceQuota",
                error,
            }
        })?;
    notes.push(PluginNote {
        plugin: "ResourceQuota",
        note: charged.note,
    });
    Ok((notes, charged.updated_quotas))
}
