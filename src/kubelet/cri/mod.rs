//! The node's container runtime (containerd) as the kubelet sees it through the CRI: pod
//! sandboxes with their IPs, an image store filled by pulls from a simulated registry, and
//! containers whose simulated processes run, print their logs and exit.
//!
//! The calls travel as [`crate::sim::Message::Cri`] messages the kubelet sends itself, so the
//! trace shows every RunPodSandbox, PullImage, CreateContainer and StartContainer. What the
//! simulated world does is decided by plain rules, documented on [`registry_lookup`] and in
//! [`process`] (what a container's command does).

pub mod process;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::sim::{Rng, SimDuration, SimTime};

/// One CRI call, or the runtime's report of something that happened (a pull finished, a
/// process exited), as it appears in the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CriCall {
    RunPodSandbox,
    PullImage {
        image: String,
    },
    /// The pull finished (`duration_ms` after it started).
    ImagePulled {
        image: String,
        size: u64,
        duration_ms: u64,
    },
    /// The pull failed with the runtime's error text.
    PullImageFailed {
        image: String,
        error: String,
    },
    CreateContainer {
        container: String,
    },
    StartContainer {
        container: String,
    },
    /// The container's process exited (the runtime's container event, PLEG's input).
    ContainerExited {
        container: String,
        exit_code: i32,
    },
    StopContainer {
        container: String,
        timeout_seconds: u64,
    },
    StopPodSandbox,
    RemovePodSandbox,
}

impl CriCall {
    /// The CRI method (`runtime.v1.RuntimeService/...`) or event name.
    pub fn method(&self) -> &'static str {
        match self {
            CriCall::RunPodSandbox => "RunPodSandbox",
            CriCall::PullImage { .. } => "PullImage",
            CriCall::ImagePulled { .. } => "PullImage done",
            CriCall::PullImageFailed { .. } => "PullImage failed",
            CriCall::CreateContainer { .. } => "CreateContainer",
            CriCall::StartContainer { .. } => "StartContainer",
            CriCall::ContainerExited { .. } => "ContainerExited",
            CriCall::StopContainer { .. } => "StopContainer",
            CriCall::StopPodSandbox => "StopPodSandbox",
            CriCall::RemovePodSandbox => "RemovePodSandbox",
        }
    }

    pub fn summary(&self) -> String {
        match self {
            CriCall::PullImage { image } => format!("PullImage {image}"),
            CriCall::ImagePulled {
                image,
                size,
                duration_ms,
            } => format!("image {image} pulled ({size} bytes in {duration_ms} ms)"),
            CriCall::PullImageFailed { image, error } => {
                format!("PullImage {image} failed: {error}")
            }
            CriCall::CreateContainer { container } => format!("CreateContainer {container}"),
            CriCall::StartContainer { container } => format!("StartContainer {container}"),
            CriCall::ContainerExited {
                container,
                exit_code,
            } => format!("container {container} exited with code {exit_code}"),
            CriCall::StopContainer {
                container,
                timeout_seconds,
            } => format!("StopContainer {container} (timeout {timeout_seconds}s)"),
            other => other.method().to_string(),
        }
    }
}

/// The simulated registry's download speed: 50 MB/s.
pub const PULL_BYTES_PER_MS: u64 = 50_000;

/// `docker.io/library/nginx:1.27` from `nginx:1.27`, as containerd normalises references.
pub fn normalize_image(image: &str) -> String {
    let (name, tag) = split_reference(image);
    let first = name.split('/').next().unwrap_or("");
    let qualified = if !name.contains('/') {
        format!("docker.io/library/{name}")
    } else if first.contains('.') || first.contains(':') || first == "localhost" {
        name.to_string()
    } else {
        format!("docker.io/{name}")
    };
    if tag.starts_with('@') {
        format!("{qualified}{tag}")
    } else {
        format!("{qualified}:{tag}")
    }
}

/// The repository and the tag (`latest` if none; `@sha256:...` kept as is).
fn split_reference(image: &str) -> (&str, &str) {
    if let Some(i) = image.find('@') {
        return (&image[..i], &image[i..]);
    }
    match image.rfind(':') {
        Some(i) if !image[i + 1..].contains('/') => (&image[..i], &image[i + 1..]),
        _ => (image, "latest"),
    }
}

/// The repositories the simulated registry holds, with the size of their images in bytes.
const REGISTRY: &[(&str, u64)] = &[
    ("docker.io/library/nginx", 72_938_434),
    ("docker.io/library/busybox", 2_166_802),
    ("docker.io/library/alpine", 3_653_069),
    ("docker.io/library/redis", 45_164_384),
    ("docker.io/library/httpd", 58_131_922),
    ("docker.io/library/postgres", 158_623_450),
    ("docker.io/library/python", 412_503_081),
    ("docker.io/library/ubuntu", 29_754_290),
    ("docker.io/library/perl", 335_521_408),
    ("docker.io/library/bash", 6_216_118),
    ("registry.k8s.io/pause", 320_368),
    ("registry.k8s.io/etcd", 57_680_541),
    ("registry.k8s.io/kube-apiserver", 30_071_307),
    ("registry.k8s.io/kube-controller-manager", 26_628_258),
    ("registry.k8s.io/kube-scheduler", 20_392_204),
    ("registry.k8s.io/kube-proxy", 30_893_786),
    ("registry.k8s.io/coredns/coredns", 20_939_036),
    ("registry.k8s.io/e2e-test-images/agnhost", 51_228_386),
];

/// The simulated registry's rule: a repository in [`REGISTRY`] has every tag except those
/// containing `doesnotexist` (NotFound); any other repository does not exist (pull access
/// denied). Returns the image size, or containerd's error text.
pub fn registry_lookup(image: &str) -> Result<u64, String> {
    let full = normalize_image(image);
    let (repo, tag) = split_reference(&full);
    match REGISTRY.iter().find(|(r, _)| *r == repo) {
        Some(_) if tag.contains("doesnotexist") => Err(format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
        )),
        Some((_, size)) => Ok(*size),
        None => Err(format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
        )),
    }
}

/// A deterministic digest for an image reference (the registry's manifest digest).
pub fn image_digest(image: &str) -> String {
    let mut h = Sha256::new();
    h.update(normalize_image(image).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The `imageID` containerd reports: `docker.io/library/nginx@sha256:<digest>`.
pub fn image_id(image: &str) -> String {
    let full = normalize_image(image);
    let (repo, _) = split_reference(&full);
    format!("{repo}@sha256:{}", image_digest(image))
}

pub use process::{Exit, ProcessBehaviour};

/// How long a process that handles SIGTERM takes to stop.
pub const SIGTERM_STOP: SimDuration = SimDuration::from_millis(100);

/// A container the runtime holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeContainer {
    pub id: String,
    pub pod: String,
    pub name: String,
    pub image: String,
    pub running: bool,
    /// Creation order on this node (container ids are random, so they do not sort by age).
    pub created: u64,
    /// The container's log, one line each (`kubectl logs`).
    pub log: Vec<String>,
    /// When its process started: every line it prints is stamped with this time (a process
    /// prints everything when it starts, see [`process`]).
    pub started_at: Option<SimTime>,
}

/// containerd on one node.
#[derive(Clone, Debug, Default)]
pub struct ContainerRuntime {
    /// The image store: normalised reference → size.
    pub images: BTreeMap<String, u64>,
    /// Pod key → sandbox (id, IP).
    pub sandboxes: BTreeMap<String, (String, String)>,
    /// Host numbers in use in the pod CIDR (host-local IPAM).
    used_ips: BTreeSet<u32>,
    /// Pods whose sandbox was stopped (its IP given back) but not yet removed.
    stopped: BTreeSet<String>,
    /// Container id → container.
    pub containers: BTreeMap<String, RuntimeContainer>,
    next_created: u64,
}

fn hex_id(rng: &mut Rng) -> String {
    (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect()
}

impl ContainerRuntime {
    pub fn has_image(&self, image: &str) -> bool {
        self.images.contains_key(&normalize_image(image))
    }

    /// Pre-loads an image (what `kubeadm config images pull` left on the control-plane node).
    pub fn preload(&mut self, image: &str) {
        if let Ok(size) = registry_lookup(image) {
            self.images.insert(normalize_image(image), size);
        }
    }

    /// RunPodSandbox: the sandbox's IP comes from the node's pod CIDR (host-local IPAM hands
    /// out the lowest free address from .2 on; .1 is the bridge), or is the node's own for
    /// host-network pods.
    pub fn run_pod_sandbox(
        &mut self,
        pod: &str,
        pod_cidr: &str,
        host_ip: Option<&str>,
        rng: &mut Rng,
    ) -> String {
        if let Some((_, ip)) = self.sandboxes.get(pod) {
            return ip.clone();
        }
        let ip = match host_ip {
            Some(ip) => ip.to_string(),
            None => {
                let base = pod_cidr.split('/').next().unwrap_or("10.244.0.0");
                let octets: Vec<u32> = base.split('.').filter_map(|o| o.parse().ok()).collect();
                let host = (2..255).find(|h| !self.used_ips.contains(h)).unwrap_or(254);
                self.used_ips.insert(host);
                format!(
                    "{}.{}.{}.{}",
                    octets.first().unwrap_or(&10),
                    octets.get(1).unwrap_or(&244),
                    octets.get(2).unwrap_or(&0),
                    host
                )
            }
        };
        self.sandboxes
            .insert(pod.to_string(), (hex_id(rng), ip.clone()));
        ip
    }

    /// PullImage: the size and how long the download takes, or the registry's error.
    pub fn pull_image(&mut self, image: &str) -> Result<(u64, SimDuration), String> {
        let size = registry_lookup(image)?;
        Ok((
            size,
            SimDuration::from_millis((size / PULL_BYTES_PER_MS).max(1)),
        ))
    }

    pub fn image_pulled(&mut self, image: &str, size: u64) {
        self.images.insert(normalize_image(image), size);
    }

    /// CreateContainer: a new container id.
    pub fn create_container(
        &mut self,
        pod: &str,
        name: &str,
        image: &str,
        rng: &mut Rng,
    ) -> String {
        let id = hex_id(rng);
        self.next_created += 1;
        self.containers.insert(
            id.clone(),
            RuntimeContainer {
                id: id.clone(),
                pod: pod.to_string(),
                name: name.to_string(),
                image: image.to_string(),
                running: false,
                created: self.next_created,
                log: Vec::new(),
                started_at: None,
            },
        );
        id
    }

    /// StartContainer: the process starts and prints what it prints (see [`process`]).
    pub fn start_container(&mut self, id: &str, started_at: SimTime, process: &ProcessBehaviour) {
        if let Some(c) = self.containers.get_mut(id) {
            c.running = true;
            c.started_at = Some(started_at);
            if process.image_entrypoint {
                c.log.extend(startup_log(&c.image, &started_at.rfc3339()));
            } else {
                c.log.extend(process.log(started_at));
            }
        }
    }

    pub fn container_exited(&mut self, id: &str) {
        if let Some(c) = self.containers.get_mut(id) {
            c.running = false;
        }
    }

    /// StopPodSandbox: the network goes (the IP back to the pool); the containers stay, so a
    /// finished pod's logs can still be read.
    pub fn stop_pod_sandbox(&mut self, pod: &str) {
        if let Some((_, ip)) = self.sandboxes.get(pod) {
            if self.stopped.insert(pod.to_string()) {
                if let Some(h) = ip.rsplit('.').next().and_then(|h| h.parse::<u32>().ok()) {
                    self.used_ips.remove(&h);
                }
            }
        }
    }

    /// RemovePodSandbox (after a stop, or in its place): the IP goes back to the pool if the
    /// stop did not give it back already, and the containers go.
    pub fn remove_pod_sandbox(&mut self, pod: &str) {
        self.stop_pod_sandbox(pod);
        self.sandboxes.remove(pod);
        self.stopped.remove(pod);
        self.containers.retain(|_, c| c.pod != pod);
    }

    /// The log of the newest container named `container` of pod `pod`.
    pub fn logs(&self, pod: &str, container: &str) -> Option<String> {
        self.instance(pod, container, false)
            .map(|c| c.log.iter().map(|l| format!("{l}\n")).collect())
    }

    /// The newest container named `container` of pod `pod`, or (`previous`) the one before it:
    /// the instance a restart replaced, whose log `kubectl logs --previous` reads.
    pub fn instance(
        &self,
        pod: &str,
        container: &str,
        previous: bool,
    ) -> Option<&RuntimeContainer> {
        let mut instances: Vec<&RuntimeContainer> = self
            .containers
            .values()
            .filter(|c| c.pod == pod && c.name == container)
            .collect();
        instances.sort_by_key(|c| std::cmp::Reverse(c.created));
        instances.get(usize::from(previous)).copied()
    }
}

/// What an image's entrypoint prints when it starts: nginx's entrypoint and worker lines, redis'
/// ready line, nothing for others.
fn startup_log(image: &str, started_at: &str) -> Vec<String> {
    let full = normalize_image(image);
    let ts = started_at
        .replace('T', " ")
        .replace('-', "/")
        .trim_end_matches('Z')
        .to_string();
    if full.starts_with("docker.io/library/nginx:") {
        return vec![
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration".to_string(),
            "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/".to_string(),
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh".to_string(),
            "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf".to_string(),
            "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf".to_string(),
            "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh".to_string(),
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh".to_string(),
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh".to_string(),
            "/docker-entrypoint.sh: Configuration complete; ready for start up".to_string(),
            format!("{ts} [notice] 1#1: using the \"epoll\" event method"),
            format!("{ts} [notice] 1#1: nginx/1.27.5"),
            format!("{ts} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) "),
            format!("{ts} [notice] 1#1: OS: Linux 6.1.0-27-amd64"),
            format!("{ts} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576"),
            format!("{ts} [notice] 1#1: start worker processes"),
            format!("{ts} [notice] 1#1: start worker process 29"),
        ];
    }
    if full.starts_with("docker.io/library/redis:") {
        return vec![format!(
            "1:M {started_at} * Ready to accept connections tcp"
        )];
    }
    Vec::new()
}
