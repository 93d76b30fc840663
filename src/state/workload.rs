//! Containers of Kubernetes workloads, from the kubernetes provider's resources and from
//! `kubernetes_manifest`.

use serde_json::Value;

use super::address::Step;
use super::path::{dynamic_inner, walk};

/// One container of a pod template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// The container's name.
    pub name: String,
    /// The image as written.
    pub image: String,
    /// An init container (chosen by name only).
    pub init: bool,
}

fn a(name: &str) -> Step {
    Step::Attr(name.to_string())
}

/// Where the provider's resource types keep the pod spec (blocks are lists of one).
fn provider_pod_spec(resource_type: &str) -> Option<Vec<Step>> {
    let z = || Step::Index(0);
    let template = || vec![a("spec"), z(), a("template"), z(), a("spec"), z()];
    Some(match resource_type {
        "kubernetes_deployment"
        | "kubernetes_deployment_v1"
        | "kubernetes_stateful_set"
        | "kubernetes_stateful_set_v1"
        | "kubernetes_daemon_set_v1"
        | "kubernetes_daemonset"
        | "kubernetes_job"
        | "kubernetes_job_v1"
        | "kubernetes_replication_controller"
        | "kubernetes_replication_controller_v1" => template(),
        "kubernetes_cron_job" | "kubernetes_cron_job_v1" => {
            let mut p = vec![a("spec"), z(), a("job_template"), z()];
            p.extend(template());
            p
        }
        "kubernetes_pod" | "kubernetes_pod_v1" => vec![a("spec"), z()],
        _ => return None,
    })
}

/// The containers of a resource instance, or `None` when the type has no pod template.
pub fn containers(resource_type: &str, attributes: &Value) -> Option<Vec<Container>> {
    if resource_type == "kubernetes_manifest" {
        return manifest_containers(attributes);
    }
    let spec = walk(attributes, &provider_pod_spec(resource_type)?).ok()?;
    let mut out = collect(spec, "init_container", true);
    out.extend(collect(spec, "container", false));
    Some(out)
}

/// `kubernetes_manifest`: `manifest.value` is the object as written in YAML.
fn manifest_containers(attributes: &Value) -> Option<Vec<Container>> {
    let manifest = attributes.get("manifest")?;
    let object = dynamic_inner(manifest).unwrap_or(manifest);
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let candidates: &[&[&str]] = match kind {
        "Pod" => &[&["spec"]],
        "CronJob" => &[&["spec", "jobTemplate", "spec", "template", "spec"]],
        // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, and custom kinds built the same way
        // (Argo Rollouts, Knative): a pod template under spec.template.
        _ => &[&["spec", "template", "spec"], &["spec", "jobTemplate", "spec", "template", "spec"]],
    };
    let spec = candidates.iter().find_map(|path| {
        let steps: Vec<Step> = path.iter().map(|p| a(p)).collect();
        walk(object, &steps).ok().filter(|s| s.get("containers").is_some())
    })?;
    let mut out = collect(spec, "initContainers", true);
    out.extend(collect(spec, "containers", false));
    Some(out)
}

fn collect(spec: &Value, field: &str, init: bool) -> Vec<Container> {
    spec.get(field)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|c| {
                    Some(Container {
                        name: c.get("name")?.as_str()?.to_string(),
                        image: c.get("image").and_then(Value::as_str).unwrap_or("").to_string(),
                        init,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}
