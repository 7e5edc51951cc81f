//! `kubectl config`: view, get-contexts, current-context, use-context and set-context on the
//! kubeconfig the cluster comes with (changes persist for later commands, as the file would).

use super::{Command, Invocation};
use crate::kubectl::flags::{bool_flag, str_flag, Flag};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::kubeconfig::Context;
use crate::kubectl::output;

const VIEW_FLAGS: &[Flag] = &[
    bool_flag("minify", None),
    bool_flag("raw", None),
    bool_flag("flatten", None),
    str_flag("output", Some('o')),
    str_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    bool_flag("merge", None),
];

const GET_CONTEXTS_FLAGS: &[Flag] = &[bool_flag("no-headers", None), str_flag("output", Some('o'))];

const SET_CONTEXT_FLAGS: &[Flag] = &[
    bool_flag("current", None),
    str_flag("namespace", Some('n')),
    str_flag("cluster", None),
    str_flag("user", None),
];

pub fn commands() -> Vec<Command> {
    vec![
        Command {
            path: "config",
            flags: &[],
            run: config_group,
            help: include_str!("../help/config.txt"),
        },
        Command {
            path: "config view",
            flags: VIEW_FLAGS,
            run: view,
            help: include_str!("../help/config_view.txt"),
        },
        Command {
            path: "config get-contexts",
            flags: GET_CONTEXTS_FLAGS,
            run: get_contexts,
            help: include_str!("../help/config_get-contexts.txt"),
        },
        Command {
            path: "config current-context",
            flags: &[],
            run: |io, _| {
                let name = io.kubeconfig.current_context.clone();
                if name.is_empty() {
                    return Err(Fail::msg("current-context is not set"));
                }
                io.print(format!("{name}\n"));
                Ok(())
            },
            help: include_str!("../help/config_current-context.txt"),
        },
        Command {
            path: "config use-context",
            flags: &[],
            run: use_context,
            help: include_str!("../help/config_use-context.txt"),
        },
        Command {
            path: "config set-context",
            flags: SET_CONTEXT_FLAGS,
            run: set_context,
            help: include_str!("../help/config_set-context.txt"),
        },
    ]
}

/// The subcommands of the real `kubectl config` kubestep does not run.
const NOT_SIMULATED: &[&str] = &[
    "delete-cluster",
    "delete-context",
    "delete-user",
    "get-clusters",
    "get-users",
    "rename-context",
    "set",
    "set-cluster",
    "set-credentials",
    "unset",
];

/// `kubectl config` alone prints its help (and exits 1, `DefaultSubCommandRun`); with words it
/// does not know, `RequireNoArguments`' usage error.
fn config_group(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    match inv.args().first() {
        None => {
            io.print(include_str!("../help/config.txt"));
            Err(Fail::raw(""))
        }
        Some(sub) if NOT_SIMULATED.contains(&sub.as_str()) => Err(Fail::msg(format!(
            "kubestep's kubectl does not simulate \"kubectl config {sub}\": it runs view, get-contexts, current-context, use-context and set-context"
        ))),
        Some(_) => Err(inv.usage_error(&format!(
            "unknown command {}",
            crate::kubectl::client::go_quote(&inv.args().join(" "))
        ))),
    }
}

fn view(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let v = io
        .kubeconfig
        .view(f.bool("raw") || f.bool("flatten"), f.bool("minify"));
    let out = output::print_object(&v, f.str_or("output", "yaml"))?;
    io.print(out);
    Ok(())
}

fn get_contexts(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let mut contexts: Vec<&Context> = io.kubeconfig.contexts.iter().collect();
    contexts.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(name) = inv.args().first() {
        contexts.retain(|c| &c.name == name);
        if contexts.is_empty() {
            if !f.bool("no-headers") && f.str("output").is_none() {
                io.print(output::tabwrite(
                    "CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n",
                ));
            }
            return Err(Fail::msg(format!("context {name} not found")));
        }
    }
    match f.str("output") {
        Some("name") => {
            let names: String = contexts.iter().map(|c| format!("{}\n", c.name)).collect();
            io.print(names);
            return Ok(());
        }
        Some(o) if !o.is_empty() => {
            return Err(Fail::msg(format!(
                "output must be one of '' or 'name': {o}"
            )))
        }
        _ => {}
    }
    let mut rows = Vec::new();
    if !f.bool("no-headers") {
        rows.push("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n".to_string());
    }
    for c in contexts {
        let current = if c.name == io.kubeconfig.current_context {
            "*"
        } else {
            ""
        };
        rows.push(format!(
            "{current}\t{}\t{}\t{}\t{}\n",
            c.name,
            c.cluster,
            c.user,
            c.namespace.clone().unwrap_or_default()
        ));
    }
    io.print(output::tabwrite(&rows.concat()));
    Ok(())
}

fn use_context(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let [name] = inv.args() else {
        // cobra prints the usage, then the error.
        io.print(include_str!("../help/config_use-context.txt"));
        return Err(Fail::msg(format!(
            "Unexpected args: [{}]",
            inv.args().join(" ")
        )));
    };
    if io.kubeconfig.context(name).is_none() {
        return Err(Fail::msg(format!(
            "no context exists with the name: \"{name}\""
        )));
    }
    let mut k = io.kubeconfig.clone();
    k.current_context = name.clone();
    io.effects.kubeconfig = Some(k);
    io.print(format!("Switched to context \"{name}\".\n"));
    Ok(())
}

fn set_context(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let mut k = io.kubeconfig.clone();
    let name = match (f.bool("current"), inv.args()) {
        (true, []) => {
            if k.current_context.is_empty() {
                return Err(Fail::msg("no current context is set"));
            }
            k.current_context.clone()
        }
        (true, [_, ..]) => {
            return Err(Fail::msg(
                "you cannot specify both a context name and --current",
            ))
        }
        (false, [name]) => name.clone(),
        (false, _) => {
            return Err(Fail::msg(
                "you must specify a non-empty context name or --current",
            ))
        }
    };
    let existed = k.context(&name).is_some();
    if !existed {
        k.contexts.push(Context {
            name: name.clone(),
            cluster: String::new(),
            user: String::new(),
            namespace: None,
        });
    }
    let ctx = k
        .contexts
        .iter_mut()
        .find(|c| c.name == name)
        .expect("added above");
    if let Some(ns) = f.str("namespace") {
        ctx.namespace = (!ns.is_empty()).then(|| ns.to_string());
    }
    if let Some(c) = f.str("cluster") {
        ctx.cluster = c.to_string();
    }
    if let Some(u) = f.str("user") {
        ctx.user = u.to_string();
    }
    io.effects.kubeconfig = Some(k);
    io.print(format!(
        "Context \"{name}\" {}.\n",
        if existed { "modified" } else { "created" }
    ));
    Ok(())
}
