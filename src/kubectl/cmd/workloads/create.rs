//! `kubectl create <kind>`: the objects kubectl's create subcommands generate (deployment,
//! namespace, configmap, secret generic|docker-registry, service
//! clusterip|nodeport|loadbalancer|externalname, role, rolebinding, clusterrole,
//! clusterrolebinding, job, cronjob, serviceaccount), built in the typed objects' field order
//! (what `-o json` prints) and sent with the typed clientset's `POST`. `kubectl create -f`
//! stays in `apply.rs`; the command table picks the longer path.

use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::apiserver::request::encode_component;
use crate::kubectl::client::{go_quote, Client};
use crate::kubectl::cmd::{Command, Invocation};
use crate::kubectl::cmdutil::{self, check_err, DryRun, GoErr};
use crate::kubectl::discovery::{Discovery, Resolved};
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, FileEntry, Io, Res};
use crate::kubectl::resource::CLIENTSET_ACCEPT;

use super::rollout::group_command;

const MANY: Kind = Kind::Many { split_commas: true };
const ARRAY: Kind = Kind::Many {
    split_commas: false,
};

/// Flags every create subcommand has.
macro_rules! create_flags {
    ($($extra:expr),* $(,)?) => {
        &[
            str_flag("dry-run", None),
            str_flag("output", Some('o')),
            bool_flag("save-config", None),
            str_flag("validate", None),
            str_flag("field-manager", None),
            bool_flag("allow-missing-template-keys", None),
            bool_flag("show-managed-fields", None),
            str_flag("template", None),
            $($extra),*
        ]
    };
}

const DEPLOYMENT_FLAGS: &[Flag] = create_flags!(
    flag("image", None, MANY),
    flag("port", None, Kind::Int),
    flag("replicas", Some('r'), Kind::Int),
);
const PLAIN_FLAGS: &[Flag] = create_flags!();
const CONFIGMAP_FLAGS: &[Flag] = create_flags!(
    flag("from-file", None, MANY),
    flag("from-literal", None, ARRAY),
    flag("from-env-file", None, ARRAY),
    bool_flag("append-hash", None),
);
const SECRET_FLAGS: &[Flag] = create_flags!(
    flag("from-file", None, MANY),
    flag("from-literal", None, ARRAY),
    flag("from-env-file", None, ARRAY),
    bool_flag("append-hash", None),
    str_flag("type", None),
);
const DOCKER_FLAGS: &[Flag] = create_flags!(
    flag("from-file", None, MANY),
    bool_flag("append-hash", None),
    str_flag("docker-username", None),
    str_flag("docker-password", None),
    str_flag("docker-email", None),
    str_flag("docker-server", None),
);
const SERVICE_FLAGS: &[Flag] = create_flags!(
    flag("tcp", None, MANY),
    str_flag("clusterip", None),
    flag("node-port", None, Kind::Int),
    str_flag("external-name", None),
);
const ROLE_FLAGS: &[Flag] = create_flags!(
    flag("verb", None, MANY),
    flag("resource", None, MANY),
    flag("resource-name", None, ARRAY),
    flag("non-resource-url", None, MANY),
    str_flag("aggregation-rule", None),
);
const BINDING_FLAGS: &[Flag] = create_flags!(
    str_flag("role", None),
    str_flag("clusterrole", None),
    flag("user", None, ARRAY),
    flag("group", None, ARRAY),
    flag("serviceaccount", None, ARRAY),
);
const JOB_FLAGS: &[Flag] = create_flags!(str_flag("image", None), str_flag("from", None));
const CRONJOB_FLAGS: &[Flag] = create_flags!(
    str_flag("image", None),
    str_flag("schedule", None),
    str_flag("restart", None),
);

type RunFn = fn(&mut Io<'_>, &Invocation) -> Res<()>;

/// One subcommand, its aliases (cobra's `Aliases`) and its canonical path.
fn sub(
    paths: &[&'static str],
    flags: &'static [Flag],
    run: RunFn,
    help: &'static str,
) -> Vec<Command> {
    paths
        .iter()
        .map(|path| Command {
            path,
            flags,
            run,
            help,
        })
        .collect()
}

pub fn commands() -> Vec<Command> {
    let mut c = Vec::new();
    c.extend(sub(
        &["create deployment", "create deploy"],
        DEPLOYMENT_FLAGS,
        deployment,
        include_str!("../../help/create_deployment.txt"),
    ));
    c.extend(sub(
        &["create namespace", "create ns"],
        PLAIN_FLAGS,
        namespace,
        include_str!("../../help/create_namespace.txt"),
    ));
    c.extend(sub(
        &["create configmap", "create cm"],
        CONFIGMAP_FLAGS,
        configmap,
        include_str!("../../help/create_configmap.txt"),
    ));
    c.extend(sub(
        &["create secret"],
        &[],
        secret_group,
        include_str!("../../help/create_secret.txt"),
    ));
    c.extend(sub(
        &["create secret generic"],
        SECRET_FLAGS,
        secret_generic,
        include_str!("../../help/create_secret_generic.txt"),
    ));
    c.extend(sub(
        &["create secret docker-registry"],
        DOCKER_FLAGS,
        secret_docker_registry,
        include_str!("../../help/create_secret_docker-registry.txt"),
    ));
    c.extend(sub(
        &["create service", "create svc"],
        &[],
        service_group,
        include_str!("../../help/create_service.txt"),
    ));
    c.extend(sub(
        &["create service clusterip", "create svc clusterip"],
        SERVICE_FLAGS,
        service_clusterip,
        include_str!("../../help/create_service_clusterip.txt"),
    ));
    c.extend(sub(
        &["create service nodeport", "create svc nodeport"],
        SERVICE_FLAGS,
        service_nodeport,
        include_str!("../../help/create_service_nodeport.txt"),
    ));
    c.extend(sub(
        &["create service loadbalancer", "create svc loadbalancer"],
        SERVICE_FLAGS,
        service_loadbalancer,
        include_str!("../../help/create_service_loadbalancer.txt"),
    ));
    c.extend(sub(
        &["create service externalname", "create svc externalname"],
        SERVICE_FLAGS,
        service_externalname,
        include_str!("../../help/create_service_externalname.txt"),
    ));
    c.extend(sub(
        &["create role"],
        ROLE_FLAGS,
        role,
        include_str!("../../help/create_role.txt"),
    ));
    c.extend(sub(
        &["create clusterrole"],
        ROLE_FLAGS,
        clusterrole,
        include_str!("../../help/create_clusterrole.txt"),
    ));
    c.extend(sub(
        &["create rolebinding"],
        BINDING_FLAGS,
        rolebinding,
        include_str!("../../help/create_rolebinding.txt"),
    ));
    c.extend(sub(
        &["create clusterrolebinding"],
        BINDING_FLAGS,
        clusterrolebinding,
        include_str!("../../help/create_clusterrolebinding.txt"),
    ));
    c.extend(sub(
        &["create job"],
        JOB_FLAGS,
        job,
        include_str!("../../help/create_job.txt"),
    ));
    c.extend(sub(
        &["create cronjob", "create cj"],
        CRONJOB_FLAGS,
        cronjob,
        include_str!("../../help/create_cronjob.txt"),
    ));
    c.extend(sub(
        &["create serviceaccount", "create sa"],
        PLAIN_FLAGS,
        serviceaccount,
        include_str!("../../help/create_serviceaccount.txt"),
    ));
    // Subcommands of the real tool that kubestep does not generate objects for.
    c.extend(sub(
        &[
            "create ingress",
            "create ing",
            "create poddisruptionbudget",
            "create pdb",
            "create priorityclass",
            "create pc",
            "create quota",
            "create resourcequota",
            "create secret tls",
        ],
        PLAIN_FLAGS,
        not_simulated,
        include_str!("../../help/create.txt"),
    ));
    c
}

fn not_simulated(_: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    Err(Fail::msg(format!(
        "kubestep's kubectl does not simulate \"kubectl {}\"; write the object in a manifest and use \"kubectl create -f\"",
        inv.path
    )))
}

fn secret_group(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    group_command(io, inv, include_str!("../../help/create_secret.txt"))
}

fn service_group(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    group_command(io, inv, include_str!("../../help/create_service.txt"))
}

/// `cmdutil.UsageErrorf` with the canonical command path.
fn usage_error(path: &str, message: &str) -> Fail {
    Fail::raw(format!(
        "error: {message}\nSee 'kubectl {path} -h' for help and examples\n"
    ))
}

/// `NameFromCommandArgs`: exactly one name before any `--`; the words after `--` are a
/// command.
fn name_and_command(inv: &Invocation, path: &str) -> Res<(String, Vec<String>)> {
    let args = inv.args();
    let before_dash = inv.flags.after_dash.unwrap_or(args.len());
    if before_dash != 1 {
        return Err(usage_error(
            path,
            &format!("exactly one NAME is required, got {before_dash}"),
        ));
    }
    Ok((args[0].clone(), args[1..].to_vec()))
}

fn required(inv: &Invocation, flag: &str) -> Res<()> {
    if inv.flags.has(flag) {
        Ok(())
    } else {
        Err(Fail::msg(format!("required flag(s) \"{flag}\" not set")))
    }
}

/// What every create subcommand shares: dry run, printing, the create options.
struct Common<'a> {
    client: Client,
    dry: DryRun,
    output: Option<&'a str>,
    save_config: bool,
    manager: &'a str,
    /// `fieldValidation`, from `--validate`.
    validation: &'static str,
    /// `--show-managed-fields`.
    show_managed: bool,
}

impl<'a> Common<'a> {
    fn new(inv: &'a Invocation) -> Res<Common<'a>> {
        let f = &inv.flags;
        let validation = match f.str("validate") {
            None | Some("strict") | Some("true") => "Strict",
            Some("warn") => "Warn",
            Some("ignore") | Some("false") => "Ignore",
            Some(other) => {
                return Err(Fail::msg(format!(
                    "invalid - validate option {}; must be one of: strict (or true), warn, ignore (or false)",
                    go_quote(other)
                )))
            }
        };
        let dry = DryRun::from_flag(f.str("dry-run")).map_err(check_err)?;
        let output = f.str("output").filter(|o| !o.is_empty());
        // `PrintFlags.ToPrinter()` in Complete: a bad -o fails before anything is sent.
        crate::kubectl::output::check_object_output(output)?;
        Ok(Common {
            show_managed: f.bool("show-managed-fields"),
            client: inv.client.clone(),
            dry,
            output,
            save_config: f.bool("save-config"),
            manager: f.str_or("field-manager", "kubectl-create"),
            validation,
        })
    }
}

/// `ObjectMeta` in Go field order: name, namespace (when `-n` or the context set it),
/// creationTimestamp, labels.
fn meta(inv: &Invocation, name: &str, namespaced: bool, labels: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    if namespaced && inv.client.namespace_explicit {
        m.insert("namespace".into(), json!(inv.client.namespace));
    }
    m.insert("creationTimestamp".into(), Value::Null);
    if let Some(l) = labels {
        m.insert("labels".into(), l);
    }
    Value::Object(m)
}

/// Creates the object (unless `--dry-run=client`) and prints it with `created`. `wrap`
/// turns a server error into the subcommand's text (`failed to create deployment: ...`).
fn finish(
    io: &mut Io<'_>,
    common: &Common<'_>,
    collection: &str,
    mut obj: Value,
    wrap: &dyn Fn(GoErr) -> GoErr,
) -> Res<()> {
    if common.save_config {
        obj = cmdutil::with_last_applied(&obj);
    }
    let shown = if common.dry == DryRun::Client {
        obj
    } else {
        let path = format!(
            "{collection}?{}fieldManager={}&fieldValidation={}",
            common.dry.query(),
            encode_component(common.manager),
            common.validation
        );
        // The typed clientset sends protobuf; kubestep's API server speaks JSON only, so
        // the body goes as JSON (in the typed object's field order).
        let r = io.call(
            common
                .client
                .request("POST", &path, CLIENTSET_ACCEPT)
                .header("Content-Type", "application/json")
                .body(serde_json::to_string(&obj).expect("an object serialises")),
        )?;
        match r.body_json().filter(|_| (200..300).contains(&r.status)) {
            Some(created) => cmdutil::as_typed(&created),
            None => return Err(check_err(wrap(GoErr::from_response(&r)))),
        }
    };
    let op = format!("created{}", common.dry.suffix());
    let name = cmdutil::kind_name(&shown);
    io.print(cmdutil::print_obj(
        common.output,
        &name,
        &op,
        &shown,
        common.show_managed,
    )?);
    Ok(())
}

fn wrap_with(prefix: &'static str) -> impl Fn(GoErr) -> GoErr {
    move |e| GoErr::msg(format!("{prefix}{}", e.error()))
}

fn raw(e: GoErr) -> GoErr {
    e
}

fn namespaced_collection(inv: &Invocation, base: &str, resource: &str) -> String {
    format!("{base}/namespaces/{}/{resource}", inv.client.namespace)
}

/// `utilrand.String(5)` for `sanitizeAndUniquify`: kubestep draws the five characters from a
/// hash of the image and the command's start time, so a replay draws the same.
fn rand_suffix(io: &Io<'_>, seed: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ io.started.0;
    let mut out = String::new();
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    for _ in 0..5 {
        h ^= h >> 29;
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        out.push(ALPHANUMS[(h % ALPHANUMS.len() as u64) as usize] as char);
    }
    out
}

/// The container name `create deployment` derives from an image: its last path component,
/// without tag or digest, with `_` and `.` made `-` and a random suffix then added.
fn container_name(io: &Io<'_>, image: &str) -> String {
    let mut name = image.rsplit('/').next().unwrap_or(image).to_string();
    if let Some((n, _)) = name.split_once(':') {
        name = n.to_string();
    }
    if let Some((n, _)) = name.split_once('@') {
        name = n.to_string();
    }
    if name.contains(['_', '.']) {
        name = format!(
            "{}-{}",
            name.replace(['_', '.'], "-"),
            rand_suffix(io, image)
        );
    }
    name
}

fn deployment(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    const PATH: &str = "create deployment";
    required(inv, "image")?;
    let (name, command) = name_and_command(inv, PATH)?;
    let common = Common::new(inv)?;
    let images = inv.flags.many("image");
    if images.len() > 1 && !command.is_empty() {
        return Err(Fail::msg(
            "cannot specify multiple --image options and command",
        ));
    }
    let replicas = inv.flags.int("replicas").unwrap_or(1);
    let port = inv.flags.int("port").unwrap_or(-1);
    let labels = json!({"app": name});
    let mut containers: Vec<Value> = images
        .iter()
        .map(|image| {
            let mut c = Map::new();
            c.insert("name".into(), json!(container_name(io, image)));
            c.insert("image".into(), json!(image));
            if !command.is_empty() {
                c.insert("command".into(), json!(command));
            }
            c.insert("resources".into(), json!({}));
            Value::Object(c)
        })
        .collect();
    if port >= 0 {
        if let Some(Value::Object(first)) = containers.first_mut() {
            // `ports` goes before `resources` in a Container.
            let resources = first.remove("resources");
            first.insert("ports".into(), json!([{"containerPort": port}]));
            if let Some(r) = resources {
                first.insert("resources".into(), r);
            }
        }
    }
    let obj = json!({
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": meta(inv, &name, true, Some(labels.clone())),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"creationTimestamp": null, "labels": labels},
                "spec": {"containers": containers},
            },
            "strategy": {},
        },
        "status": {},
    });
    let collection = namespaced_collection(inv, "/apis/apps/v1", "deployments");
    finish(
        io,
        &common,
        &collection,
        obj,
        &wrap_with("failed to create deployment: "),
    )
}

fn namespace(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let (name, _) = name_and_command(inv, "create namespace")?;
    let common = Common::new(inv)?;
    let obj = json!({
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": meta(inv, &name, false, None),
        "spec": {},
        "status": {},
    });
    finish(io, &common, "/api/v1/namespaces", obj, &raw)
}

fn serviceaccount(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let (name, _) = name_and_command(inv, "create serviceaccount")?;
    let common = Common::new(inv)?;
    let obj = json!({
        "kind": "ServiceAccount",
        "apiVersion": "v1",
        "metadata": meta(inv, &name, true, None),
    });
    let collection = namespaced_collection(inv, "/api/v1", "serviceaccounts");
    finish(
        io,
        &common,
        &collection,
        obj,
        &wrap_with("failed to create serviceaccount: "),
    )
}

/// A file the console handed over for `--from-file`/`--from-env-file`.
fn read_file(io: &Io<'_>, path: &str) -> Result<FileEntry, GoErr> {
    io.files
        .get(path)
        .cloned()
        .ok_or_else(|| GoErr::msg(format!("error reading {path}: no such file or directory")))
}

/// `util.ParseFileSource`: `[KEY=]PATH`.
fn parse_file_source(source: &str) -> Result<(String, String), GoErr> {
    match source.split_once('=') {
        None => {
            let base = source
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(source);
            Ok((base.to_string(), source.to_string()))
        }
        Some((k, p)) => {
            if p.contains('=') {
                return Err(GoErr::msg("key names or file paths cannot contain '='"));
            }
            if k.is_empty() {
                return Err(GoErr::msg(format!("key name for file path {p} missing")));
            }
            if p.is_empty() {
                return Err(GoErr::msg(format!("file path for key name {k} missing")));
            }
            Ok((k.to_string(), p.to_string()))
        }
    }
}

/// `IsConfigMapKey`.
fn config_map_key_errors(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".to_string());
    }
    if key == "." {
        errs.push("must not be '.'".to_string());
    } else if key == ".." {
        errs.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// `IsEnvVarName`.
fn env_var_name_errors(name: &str) -> Vec<String> {
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    let mut errs = Vec::new();
    if !valid {
        errs.push("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')".to_string());
    }
    if name == "." {
        errs.push("must not be '.'".to_string());
    } else if name == ".." {
        errs.push("must not be '..'".to_string());
    } else if name.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// Key-value data for a ConfigMap or a Secret, in the order the sources gave it.
#[derive(Default)]
struct Data {
    entries: Vec<(String, String)>,
}

impl Data {
    fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// Go marshals a map with its keys sorted.
    fn sorted(&self, value: impl Fn(&str) -> String) -> Value {
        let mut kv: Vec<&(String, String)> = self.entries.iter().collect();
        kv.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Object(
            kv.into_iter()
                .map(|(k, v)| (k.clone(), Value::String(value(v))))
                .collect(),
        )
    }
}

/// Which object the data goes into (their key checks and errors differ).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    ConfigMap,
    Secret,
}

fn add_key(
    data: &mut Data,
    holder: Holder,
    name: &str,
    key: &str,
    value: String,
) -> Result<(), GoErr> {
    let errs = config_map_key_errors(key);
    if !errs.is_empty() {
        return Err(GoErr::msg(match holder {
            Holder::ConfigMap => format!(
                "{} is not a valid key name for a ConfigMap: {}",
                go_quote(key),
                errs.join(";")
            ),
            Holder::Secret => format!(
                "{} is not valid key name for a Secret {}",
                go_quote(key),
                errs.join(";")
            ),
        }));
    }
    if data.has(key) {
        return Err(GoErr::msg(match holder {
            Holder::ConfigMap => format!(
                "cannot add key {}, another key by that name already exists in Data for ConfigMap {}",
                go_quote(key),
                go_quote(name)
            ),
            Holder::Secret => format!(
                "cannot add key {key}, another key by that name already exists"
            ),
        }));
    }
    data.entries.push((key.to_string(), value));
    Ok(())
}

/// `--from-file`, then `--from-literal`, then `--from-env-file`, as kubectl handles them.
fn gather(io: &Io<'_>, inv: &Invocation, holder: Holder, name: &str) -> Result<Data, GoErr> {
    let mut data = Data::default();
    if inv.flags.has("from-env-file")
        && (inv.flags.has("from-file") || inv.flags.has("from-literal"))
    {
        return Err(GoErr::msg(
            "from-env-file cannot be combined with from-file or from-literal",
        ));
    }
    for source in inv.flags.many("from-file") {
        let (key, path) = parse_file_source(&source)?;
        match read_file(io, &path)? {
            FileEntry::Dir(entries) => {
                if source.contains('=') {
                    return Err(GoErr::msg("cannot give a key name for a directory path"));
                }
                for e in entries {
                    let item = format!("{}/{e}", path.trim_end_matches('/'));
                    if let Some(FileEntry::File(text)) = io.files.get(item.as_str()) {
                        add_key(&mut data, holder, name, &e, text.clone())?;
                    }
                }
            }
            FileEntry::File(text) => add_key(&mut data, holder, name, &key, text)?,
        }
    }
    for source in inv.flags.many("from-literal") {
        let Some((k, v)) = source.split_once('=') else {
            return Err(GoErr::msg(format!(
                "invalid literal source {source}, expected key=value"
            )));
        };
        add_key(&mut data, holder, name, k, v.to_string())?;
    }
    for path in inv.flags.many("from-env-file") {
        let text = match read_file(io, &path)? {
            FileEntry::File(t) => t,
            FileEntry::Dir(_) => {
                return Err(GoErr::msg(match holder {
                    Holder::ConfigMap => "env config file cannot be a directory",
                    Holder::Secret => "env secret file cannot be a directory",
                }))
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        for line in text.lines() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = match line.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (line, None),
            };
            let errs = env_var_name_errors(key);
            if !errs.is_empty() {
                return Err(GoErr::msg(format!(
                    "{} is not a valid key name: {}",
                    go_quote(key),
                    errs.join(";")
                )));
            }
            // A bare `KEY` takes the value from kubectl's environment, which the console
            // does not have: such keys are left out, as an unset variable is.
            if let Some(v) = value {
                add_key(&mut data, holder, name, key, v.to_string())?;
            }
        }
    }
    Ok(data)
}

/// `hash.ConfigMapHash` / `hash.SecretHash`: the first ten hex digits of the SHA-256 of the
/// object's JSON, with vowels and digits that could spell words replaced.
fn encode_hash(encoded: &str) -> String {
    let hex: String = Sha256::digest(encoded.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

fn base64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

fn configmap(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let (name, _) = name_and_command(inv, "create configmap")?;
    let common = Common::new(inv)?;
    let data = gather(io, inv, Holder::ConfigMap, &name).map_err(check_err)?;
    let mut obj = json!({
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": meta(inv, &name, true, None),
    });
    if !data.entries.is_empty() {
        obj["data"] = data.sorted(str::to_string);
    }
    if inv.flags.bool("append-hash") {
        let data_json = if data.entries.is_empty() {
            Value::Null
        } else {
            data.sorted(str::to_string)
        };
        let encoded = crate::golang::json::marshal(
            &json!({"data": data_json, "kind": "ConfigMap", "name": name}),
        );
        obj["metadata"]["name"] = json!(format!("{name}-{}", encode_hash(&encoded)));
    }
    let collection = namespaced_collection(inv, "/api/v1", "configmaps");
    finish(
        io,
        &common,
        &collection,
        obj,
        &wrap_with("failed to create configmap: "),
    )
}

/// The Secret of `create secret generic` or `docker-registry`, hashed into its name with
/// `--append-hash`.
fn secret_object(inv: &Invocation, name: &str, data: &Data, kind: Option<&str>) -> Value {
    let mut obj = json!({
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": meta(inv, name, true, None),
    });
    if !data.entries.is_empty() {
        obj["data"] = data.sorted(base64);
    }
    if let Some(t) = kind.filter(|t| !t.is_empty()) {
        obj["type"] = json!(t);
    }
    if inv.flags.bool("append-hash") {
        let data_json = if data.entries.is_empty() {
            Value::Null
        } else {
            data.sorted(base64)
        };
        let encoded = crate::golang::json::marshal(&json!({
            "data": data_json, "kind": "Secret", "name": name, "type": kind.unwrap_or_default(),
        }));
        obj["metadata"]["name"] = json!(format!("{name}-{}", encode_hash(&encoded)));
    }
    obj
}

fn secret_generic(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let (name, _) = name_and_command(inv, "create secret generic")?;
    let common = Common::new(inv)?;
    let data = gather(io, inv, Holder::Secret, &name).map_err(check_err)?;
    let obj = secret_object(inv, &name, &data, inv.flags.str("type"));
    let collection = namespaced_collection(inv, "/api/v1", "secrets");
    finish(
        io,
        &common,
        &collection,
        obj,
        &wrap_with("failed to create secret "),
    )
}

fn secret_docker_registry(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let (name, _) = name_and_command(inv, "create secret docker-registry")?;
    let common = Common::new(inv)?;
    let f = &inv.flags;
    let files = f.many("from-file");
    let user = f.str_or("docker-username", "");
    let password = f.str_or("docker-password", "");
    let server = f.str_or("docker-server", "https://index.docker.io/v1/");
    if files.is_empty() && (user.is_empty() || password.is_empty() || server.is_empty()) {
        return Err(Fail::msg(
            "either --from-file or the combination of --docker-username, --docker-password and --docker-server is required",
        ));
    }
    let mut data = gather(io, inv, Holder::Secret, &name).map_err(check_err)?;
    if files.is_empty() {
        // `DockerConfigJSON`: `{"auths":{server:{username,password,email?,auth}}}`.
        let mut entry = Map::new();
        entry.insert("username".into(), json!(user));
        entry.insert("password".into(), json!(password));
        if let Some(e) = f.str("docker-email").filter(|e| !e.is_empty()) {
            entry.insert("email".into(), json!(e));
        }
        entry.insert("auth".into(), json!(base64(&format!("{user}:{password}"))));
        let config = json!({"auths": {server: Value::Object(entry)}});
        add_key(
            &mut data,
            Holder::Secret,
            &name,
            ".dockerconfigjson",
            serde_json::to_string(&config).expect("serialises"),
        )
        .map_err(check_err)?;
    }
    let obj = secret_object(inv, &name, &data, Some("kubernetes.io/dockerconfigjson"));
    let collection = namespaced_collection(inv, "/api/v1", "secrets");
    finish(
        io,
        &common,
        &collection,
        obj,
        &wrap_with("failed to create secret "),
    )
}

/// `create service <type>`: ports from `--tcp=port[:targetPort]`.
fn service(io: &mut Io<'_>, inv: &Invocation, path: &str, kind: &str) -> Res<()> {
    let (name, _) = name_and_command(inv, path)?;
    let common = Common::new(inv)?;
    let f = &inv.flags;
    let tcp = f.many("tcp");
    let cluster_ip = f.str_or("clusterip", "");
    if kind == "ExternalName" {
        let external = f.str_or("external-name", "");
        let errs = crate::apiserver::validation::names::is_dns1123_subdomain(external);
        if external.is_empty() {
            return Err(Fail::msg("external name must be specified"));
        }
        if !errs.is_empty() {
            return Err(Fail::msg(format!(
                "invalid service external name {external}"
            )));
        }
    } else if tcp.is_empty() && cluster_ip != "None" {
        return Err(Fail::msg(
            "at least one tcp port specifier must be provided",
        ));
    }
    let mut ports = Vec::new();
    for spec in &tcp {
        let (port, target) = match spec.split_once(':') {
            Some((p, t)) => (p, Some(t)),
            None => (spec.as_str(), None),
        };
        let port_num: u16 = port.parse().map_err(|_| {
            Fail::msg(format!(
                "strconv.ParseUint: parsing {}: {}",
                go_quote(port),
                if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) {
                    "value out of range"
                } else {
                    "invalid syntax"
                }
            ))
        })?;
        let (port_name, target_port) = match target {
            Some(t) => (
                format!("{port}-{t}"),
                match t.parse::<u16>() {
                    Ok(n) => json!(n),
                    Err(_) => json!(t),
                },
            ),
            None => (port.to_string(), json!(port_num)),
        };
        let mut p = Map::new();
        p.insert("name".into(), json!(port_name));
        p.insert("protocol".into(), json!("TCP"));
        p.insert("port".into(), json!(port_num));
        p.insert("targetPort".into(), target_port);
        if kind == "NodePort" {
            if let Some(n) = f.int("node-port").filter(|n| *n != 0) {
                p.insert("nodePort".into(), json!(n));
            }
        }
        ports.push(Value::Object(p));
    }
    let labels = json!({"app": name});
    let mut spec = Map::new();
    if !ports.is_empty() {
        spec.insert("ports".into(), Value::Array(ports));
    }
    spec.insert("selector".into(), labels.clone());
    if !cluster_ip.is_empty() {
        spec.insert("clusterIP".into(), json!(cluster_ip));
    }
    spec.insert("type".into(), json!(kind));
    if kind == "ExternalName" {
        spec.insert("externalName".into(), json!(f.str_or("external-name", "")));
    }
    let obj = json!({
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": meta(inv, &name, true, Some(labels)),
        "spec": Value::Object(spec),
        "status": {"loadBalancer": {}},
    });
    let collection = namespaced_collection(inv, "/api/v1", "services");
    let prefix = format!("failed to create {kind} service: ");
    finish(io, &common, &collection, obj, &move |e| {
        GoErr::msg(format!("{prefix}{}", e.error()))
    })
}

fn service_clusterip(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    service(io, inv, "create service clusterip", "ClusterIP")
}

fn service_nodeport(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    service(io, inv, "create service nodeport", "NodePort")
}

fn service_loadbalancer(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    service(io, inv, "create service loadbalancer", "LoadBalancer")
}

fn service_externalname(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    service(io, inv, "create service externalname", "ExternalName")
}

const VALID_RESOURCE_VERBS: [&str; 14] = [
    "*",
    "get",
    "delete",
    "list",
    "create",
    "update",
    "patch",
    "watch",
    "proxy",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
];

const VALID_NON_RESOURCE_VERBS: [&str; 8] = [
    "*", "get", "post", "put", "delete", "patch", "head", "options",
];

/// Verbs that only make sense on some resources.
fn special_verb_resources(verb: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match verb {
        "use" => Some(&[
            ("policy", "podsecuritypolicies"),
            ("extensions", "podsecuritypolicies"),
        ]),
        "bind" | "escalate" => Some(&[
            ("rbac.authorization.k8s.io", "roles"),
            ("rbac.authorization.k8s.io", "clusterroles"),
        ]),
        "impersonate" => Some(&[
            ("", "users"),
            ("", "serviceaccounts"),
            ("", "groups"),
            ("authentication.k8s.io", "userextras"),
        ]),
        _ => None,
    }
}

/// `--resource=resource.group/subresource`.
struct ResourceOption {
    group: String,
    resource: String,
    sub: String,
}

fn parse_resources(values: &[String]) -> Vec<ResourceOption> {
    let mut out = Vec::new();
    for r in values {
        let (main, sub) = match r.split_once('/') {
            Some((m, s)) => (m, s.to_string()),
            None => (r.as_str(), String::new()),
        };
        let (resource, group) = match main.split_once('.') {
            Some((res, g)) => (res.to_string(), Some(g.to_string())),
            None => (main.to_string(), None),
        };
        let opt = ResourceOption {
            group: group.clone().unwrap_or_default(),
            resource,
            sub,
        };
        if opt.resource == "*" && group.is_none() && !r.contains('/') {
            return vec![opt];
        }
        out.push(opt);
    }
    out
}

/// `mapper.ResourceFor`: the served resource's group and plural name, or the
/// no-match error (printed without `error: `, as `CheckErr` prints a NoResourceMatchError).
fn resource_for(d: &Discovery, r: &ResourceOption) -> Result<(String, String), Fail> {
    let typed = if r.group.is_empty() {
        r.resource.clone()
    } else {
        format!("{}.{}", r.resource, r.group)
    };
    match d.resolve(&typed) {
        Some(Resolved::One(found))
            if (r.group.is_empty() || found.group == r.group)
                && (found.name == r.resource.to_lowercase()
                    || found.singular == r.resource.to_lowercase()
                    || found
                        .short_names
                        .iter()
                        .any(|s| *s == r.resource.to_lowercase())) =>
        {
            Ok((found.group.clone(), found.name.clone()))
        }
        _ => Err(Fail::raw(if r.group.is_empty() {
            format!(
                "the server doesn't have a resource type {}\n",
                go_quote(&r.resource)
            )
        } else {
            format!(
                "the server doesn't have a resource type {} in group {}\n",
                go_quote(&r.resource),
                go_quote(&r.group)
            )
        })),
    }
}

/// `validateResource`: every resource must be served (unless a special verb names it), and
/// special verbs only go with their resources.
fn validate_resources(d: &Discovery, resources: &[ResourceOption], verbs: &[String]) -> Res<()> {
    for r in resources {
        if r.resource.is_empty() {
            return Err(Fail::msg(
                "resource must be specified if apiGroup/subresource specified",
            ));
        }
        if r.resource == "*" {
            return Ok(());
        }
        let mapped = resource_for(d, r);
        let (group, res) = match &mapped {
            Ok((g, n)) => (g.clone(), n.clone()),
            Err(_) => (r.group.clone(), r.resource.clone()),
        };
        let mut special_ok = false;
        for v in verbs {
            if let Some(allowed) = special_verb_resources(v) {
                if !allowed.iter().any(|(g, n)| *g == group && *n == res) {
                    return Err(Fail::msg(format!(
                        "can not perform '{v}' on '{res}' in group '{group}'"
                    )));
                }
                special_ok = true;
            }
        }
        if let Err(e) = mapped {
            if !special_ok {
                return Err(e);
            }
        }
    }
    Ok(())
}

fn dedup(values: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Role and ClusterRole: `Complete`, `Validate` and `generateResourcePolicyRules`.
fn role_like(io: &mut Io<'_>, inv: &Invocation, cluster: bool) -> Res<()> {
    let path = if cluster {
        "create clusterrole"
    } else {
        "create role"
    };
    let (name, _) = name_and_command(inv, path)?;
    let f = &inv.flags;
    let mut verbs: Vec<String> = Vec::new();
    for v in f.many("verb") {
        if v == "*" {
            verbs = vec!["*".into()];
            break;
        }
        if !verbs.contains(&v) {
            verbs.push(v);
        }
    }
    let resources = parse_resources(&f.many("resource"));
    let resource_names = dedup(f.many("resource-name"));
    let non_resource_urls = dedup(f.many("non-resource-url"));
    let aggregation = f.str("aggregation-rule").filter(|a| !a.is_empty());
    let d = inv.client.discover(io)?;
    let common = Common::new(inv)?;
    // Validate.
    let warn = |io: &mut Io<'_>| {
        for v in &verbs {
            if !VALID_RESOURCE_VERBS.contains(&v.as_str()) {
                io.print(format!("Warning: '{v}' is not a standard resource verb\n"));
            }
        }
    };
    if cluster && aggregation.is_some() {
        if !non_resource_urls.is_empty()
            || !verbs.is_empty()
            || !resources.is_empty()
            || !resource_names.is_empty()
        {
            return Err(Fail::msg(
                "aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames",
            ));
        }
    } else if cluster {
        if verbs.is_empty() {
            return Err(Fail::msg("at least one verb must be specified"));
        }
        if resources.is_empty() && non_resource_urls.is_empty() {
            return Err(Fail::msg(
                "one of resource or nonResourceURL must be specified",
            ));
        }
        if !resources.is_empty() {
            warn(io);
            validate_resources(&d, &resources, &verbs)?;
        }
        if !non_resource_urls.is_empty() {
            if let Some(v) = verbs
                .iter()
                .find(|v| !VALID_NON_RESOURCE_VERBS.contains(&v.as_str()))
            {
                return Err(Fail::msg(format!("invalid verb: '{v}' for nonResourceURL")));
            }
            for u in &non_resource_urls {
                if u == "*" {
                    continue;
                }
                if u.is_empty() || !u.starts_with('/') {
                    return Err(Fail::msg("nonResourceURL should start with /"));
                }
                if u[..u.len() - 1].contains('*') {
                    return Err(Fail::msg(
                        "nonResourceURL only supports wildcard matches when '*' is at the end",
                    ));
                }
            }
        }
    } else {
        if verbs.is_empty() {
            return Err(Fail::msg("at least one verb must be specified"));
        }
        warn(io);
        if resources.is_empty() {
            return Err(Fail::msg("at least one resource must be specified"));
        }
        validate_resources(&d, &resources, &verbs)?;
    }
    // `generateResourcePolicyRules`: one rule per API group (sorted), then one for the
    // non-resource URLs.
    let mut by_group: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in &resources {
        let (group, mut res) = resource_for(&d, r).unwrap_or((r.group.clone(), r.resource.clone()));
        if !r.sub.is_empty() {
            res = format!("{res}/{}", r.sub);
        }
        let list = by_group.entry(group).or_default();
        if !list.contains(&res) {
            list.push(res);
        }
    }
    let mut rules: Vec<Value> = Vec::new();
    for (group, res) in by_group {
        let mut rule = Map::new();
        rule.insert("verbs".into(), json!(verbs));
        rule.insert("apiGroups".into(), json!([group]));
        rule.insert("resources".into(), json!(res));
        if !resource_names.is_empty() {
            rule.insert("resourceNames".into(), json!(resource_names));
        }
        rules.push(Value::Object(rule));
    }
    if !non_resource_urls.is_empty() {
        rules.push(json!({"verbs": verbs, "nonResourceURLs": non_resource_urls}));
    }
    let (kind, collection) = if cluster {
        (
            "ClusterRole",
            "/apis/rbac.authorization.k8s.io/v1/clusterroles".to_string(),
        )
    } else {
        (
            "Role",
            namespaced_collection(inv, "/apis/rbac.authorization.k8s.io/v1", "roles"),
        )
    };
    let mut obj = json!({
        "kind": kind,
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": meta(inv, &name, !cluster, None),
        "rules": if cluster && aggregation.is_some() { Value::Null } else { Value::Array(rules) },
    });
    if let Some(rule) = aggregation {
        let mut labels = Map::new();
        for pair in rule.split(',') {
            let Some((k, v)) = pair.split_once('=') else {
                return Err(Fail::raw(format!(
                    "error: invalid argument {} for \"--aggregation-rule\" flag: {pair} must be formatted as key=value\nSee 'kubectl {path} --help' for usage.\n",
                    go_quote(rule)
                )));
            };
            labels.insert(k.trim().to_string(), json!(v.trim()));
        }
        obj["aggregationRule"] =
            json!({"clusterRoleSelectors": [{"matchLabels": Value::Object(labels)}]});
    }
    finish(io, &common, &collection, obj, &raw)
}

fn role(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    role_like(io, inv, false)
}

fn clusterrole(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    role_like(io, inv, true)
}

/// RoleBinding and ClusterRoleBinding: users, then groups, then service accounts.
fn binding(io: &mut Io<'_>, inv: &Invocation, cluster: bool) -> Res<()> {
    let path = if cluster {
        "create clusterrolebinding"
    } else {
        "create rolebinding"
    };
    if cluster {
        required(inv, "clusterrole")?;
    }
    let (name, _) = name_and_command(inv, path)?;
    let common = Common::new(inv)?;
    let f = &inv.flags;
    let role = f.str_or("role", "");
    let cluster_role = f.str_or("clusterrole", "");
    if !cluster && cluster_role.is_empty() == role.is_empty() {
        return Err(Fail::msg(
            "exactly one of clusterrole or role must be specified",
        ));
    }
    let mut subjects: Vec<Value> = Vec::new();
    for u in f.many("user") {
        subjects.push(json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": u}));
    }
    for g in f.many("group") {
        subjects.push(json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": g}));
    }
    for sa in f.many("serviceaccount") {
        let parts: Vec<&str> = sa.split(':').collect();
        if parts.len() != 2 || parts[0].is_empty() || parts[1].is_empty() {
            return Err(Fail::msg("serviceaccount must be <namespace>:<name>"));
        }
        subjects.push(json!({"kind": "ServiceAccount", "name": parts[1], "namespace": parts[0]}));
    }
    let role_ref = if cluster_role.is_empty() {
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role})
    } else {
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role})
    };
    let kind = if cluster {
        "ClusterRoleBinding"
    } else {
        "RoleBinding"
    };
    let mut obj = Map::new();
    obj.insert("kind".into(), json!(kind));
    obj.insert("apiVersion".into(), json!("rbac.authorization.k8s.io/v1"));
    obj.insert("metadata".into(), meta(inv, &name, !cluster, None));
    if !subjects.is_empty() {
        obj.insert("subjects".into(), Value::Array(subjects));
    }
    obj.insert("roleRef".into(), role_ref);
    let collection = if cluster {
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings".to_string()
    } else {
        namespaced_collection(inv, "/apis/rbac.authorization.k8s.io/v1", "rolebindings")
    };
    let prefix = if cluster {
        "failed to create clusterrolebinding: "
    } else {
        "failed to create rolebinding: "
    };
    finish(
        io,
        &common,
        &collection,
        Value::Object(obj),
        &wrap_with(prefix),
    )
}

fn rolebinding(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    binding(io, inv, false)
}

fn clusterrolebinding(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    binding(io, inv, true)
}

/// The pod template of `create job` and `create cronjob`.
fn job_template(name: &str, image: &str, command: &[String], restart: &str) -> Value {
    let mut c = Map::new();
    c.insert("name".into(), json!(name));
    c.insert("image".into(), json!(image));
    if !command.is_empty() {
        c.insert("command".into(), json!(command));
    }
    c.insert("resources".into(), json!({}));
    json!({
        "metadata": {"creationTimestamp": null},
        "spec": {"containers": [Value::Object(c)], "restartPolicy": restart},
    })
}

fn job(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let (name, command) = name_and_command(inv, "create job")?;
    let common = Common::new(inv)?;
    let f = &inv.flags;
    let image = f.str_or("image", "");
    let from = f.str_or("from", "");
    if image.is_empty() == from.is_empty() {
        return Err(Fail::msg("either --image or --from must be specified"));
    }
    if !command.is_empty() && !from.is_empty() {
        return Err(Fail::msg("cannot specify --from and command"));
    }
    let collection = namespaced_collection(inv, "/apis/batch/v1", "jobs");
    let wrap = wrap_with("failed to create job: ");
    if image.is_empty() {
        let d = inv.client.discover(io)?;
        let Some((kind, source)) = from.split_once('/') else {
            return Err(Fail::msg(format!(
                "from must be of the form <resource>/<name>: {from}"
            )));
        };
        let resource = match d.resolve(kind) {
            Some(Resolved::One(r)) => r,
            _ => {
                return Err(Fail::raw(format!(
                    "the server doesn't have a resource type {}\n",
                    go_quote(kind)
                )))
            }
        };
        if resource.kind != "CronJob" {
            return Err(Fail::msg(format!("unknown object type {}", resource.kind)));
        }
        let path = resource.object_path(&inv.client.namespace, source);
        let r = io.call(inv.client.request("GET", &path, CLIENTSET_ACCEPT))?;
        let Some(cron) = r.body_json().filter(|_| r.status == 200) else {
            return Err(check_err(GoErr::msg(format!(
                "from must be an existing cronjob: {}",
                GoErr::from_response(&r).error()
            ))));
        };
        let template = &cron["spec"]["jobTemplate"];
        let mut annotations = Map::new();
        annotations.insert("cronjob.kubernetes.io/instantiate".into(), json!("manual"));
        for (k, v) in template["metadata"]["annotations"]
            .as_object()
            .into_iter()
            .flatten()
        {
            annotations.insert(k.clone(), v.clone());
        }
        let mut kv: Vec<(String, Value)> = annotations.into_iter().collect();
        kv.sort_by(|a, b| a.0.cmp(&b.0));
        let mut m = Map::new();
        m.insert("name".into(), json!(name));
        if inv.client.namespace_explicit {
            m.insert("namespace".into(), json!(inv.client.namespace));
        }
        m.insert("creationTimestamp".into(), Value::Null);
        if let Some(labels) = template["metadata"]["labels"].as_object() {
            m.insert("labels".into(), Value::Object(labels.clone()));
        }
        m.insert(
            "annotations".into(),
            Value::Object(kv.into_iter().collect()),
        );
        m.insert(
            "ownerReferences".into(),
            json!([{
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "name": cron["metadata"]["name"],
                "uid": cron["metadata"]["uid"],
                "controller": true,
            }]),
        );
        let obj = json!({
            "kind": "Job",
            "apiVersion": "batch/v1",
            "metadata": Value::Object(m),
            "spec": template["spec"].clone(),
            "status": {},
        });
        return finish(io, &common, &collection, obj, &wrap);
    }
    let obj = json!({
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": meta(inv, &name, true, None),
        "spec": {"template": job_template(&name, image, &command, "Never")},
        "status": {},
    });
    finish(io, &common, &collection, obj, &wrap)
}

fn cronjob(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    required(inv, "image")?;
    required(inv, "schedule")?;
    let (name, command) = name_and_command(inv, "create cronjob")?;
    let common = Common::new(inv)?;
    let f = &inv.flags;
    let restart = f
        .str("restart")
        .filter(|r| !r.is_empty())
        .unwrap_or("OnFailure");
    let obj = json!({
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": meta(inv, &name, true, None),
        "spec": {
            "schedule": f.str_or("schedule", ""),
            "jobTemplate": {
                "metadata": {"name": name, "creationTimestamp": null},
                "spec": {"template": job_template(&name, f.str_or("image", ""), &command, restart)},
            },
        },
        "status": {},
    });
    let collection = namespaced_collection(inv, "/apis/batch/v1", "cronjobs");
    finish(
        io,
        &common,
        &collection,
        obj,
        &wrap_with("failed to create cronjob: "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_kubectl() {
        // `kubectl create configmap cm --from-literal=a=b --append-hash` names it
        // cm-5k62mh6dh9; the secret s-7fd2tm89d8.
        let cm = crate::golang::json::marshal(
            &json!({"data": {"a": "b"}, "kind": "ConfigMap", "name": "cm"}),
        );
        assert_eq!(encode_hash(&cm), "5k62mh6dh9");
        let s = crate::golang::json::marshal(
            &json!({"data": {"a": "Yg=="}, "kind": "Secret", "name": "s", "type": ""}),
        );
        assert_eq!(encode_hash(&s), "7fd2tm89d8");
    }

    #[test]
    fn file_sources_parse_like_kubectl() {
        assert_eq!(
            parse_file_source("dir/f.txt").unwrap(),
            ("f.txt".to_string(), "dir/f.txt".to_string())
        );
        assert_eq!(
            parse_file_source("k=f.txt").unwrap(),
            ("k".to_string(), "f.txt".to_string())
        );
        assert_eq!(
            parse_file_source("=f.txt").unwrap_err().error(),
            "key name for file path f.txt missing"
        );
        assert_eq!(
            parse_file_source("k=").unwrap_err().error(),
            "file path for key name k missing"
        );
    }

    #[test]
    fn resources_parse_with_groups_and_subresources() {
        let r = parse_resources(&["pods/log".into(), "deployments.apps".into()]);
        assert_eq!(
            (
                r[0].resource.as_str(),
                r[0].sub.as_str(),
                r[1].group.as_str()
            ),
            ("pods", "log", "apps")
        );
        let all = parse_resources(&["*".into(), "pods".into()]);
        assert_eq!(all.len(), 1);
    }
}
