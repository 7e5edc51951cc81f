//! `kubectl edit`: the object opens in the page's editor; saving sends the changes as a
//! strategic merge patch, closing without saving changes nothing, and an object the server
//! refuses opens again with the errors on top.

mod kubectl_support;

use kubectl_support::Console;
use kubestep::kubectl::Kubectl;
use kubestep::sim::{Addr, Input};

fn start_edit(c: &mut Console, line: &str) -> (u64, String) {
    let argv: Vec<String> = line
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect();
    let id = c.sim.submit(Input::Kubectl {
        argv,
        stdin: None,
        files: vec![],
    });
    c.sim.run_until_idle();
    let k = c.sim.actor::<Kubectl>(&Addr::Kubectl).unwrap();
    let (input, text) = k.open_editor().expect("the editor is open");
    assert_eq!(input, id);
    (id, text.to_string())
}

fn save(c: &mut Console, id: u64, text: Option<String>) -> String {
    c.sim.submit(Input::EditorSave { input_id: id, text });
    c.sim.run_until_idle();
    c.sim
        .console()
        .iter()
        .filter(|o| o.input_id == id)
        .map(|o| o.text.as_str())
        .collect()
}

#[test]
fn saving_an_edit_patches_the_object() {
    let mut c = Console::new(11);
    c.file("web.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n");
    assert_eq!(
        c.run("kubectl apply -f web.yaml"),
        "deployment.apps/web created\n"
    );
    let (id, text) = start_edit(&mut c, "kubectl edit deployment web");
    assert!(
        text.starts_with(
            "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
        ),
        "{text}"
    );
    assert!(text.contains("\n  replicas: 1\n"), "{text}");
    assert!(!text.contains("managedFields"), "{text}");
    let out = save(
        &mut c,
        id,
        Some(text.replace("\n  replicas: 1\n", "\n  replicas: 3\n")),
    );
    assert_eq!(out, "deployment.apps/web edited\n");
    assert_eq!(
        c.run("kubectl get deployment web -o jsonpath={.spec.replicas}"),
        "3"
    );
}

#[test]
fn closing_or_saving_unchanged_changes_nothing() {
    let mut c = Console::new(12);
    c.file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n",
    );
    c.run("kubectl apply -f cm.yaml");
    let (id, _) = start_edit(&mut c, "kubectl edit configmap settings");
    assert_eq!(save(&mut c, id, None), "Edit cancelled, no changes made.\n");
    let (id, text) = start_edit(&mut c, "kubectl edit cm/settings");
    assert_eq!(
        save(&mut c, id, Some(text)),
        "Edit cancelled, no changes made.\n"
    );
}

#[test]
fn a_refused_edit_reopens_with_the_error() {
    let mut c = Console::new(13);
    c.file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n",
    );
    c.run("kubectl apply -f cm.yaml");
    let (id, text) = start_edit(&mut c, "kubectl edit configmap settings");
    // An invalid key: the server refuses it and the editor opens again.
    let bad = text.replace("  mode: fast", "  \"bad key!\": fast");
    c.sim.submit(Input::EditorSave {
        input_id: id,
        text: Some(bad),
    });
    c.sim.run_until_idle();
    let k = c.sim.actor::<Kubectl>(&Addr::Kubectl).unwrap();
    let (again, reopened) = k.open_editor().expect("the editor opens again");
    assert_eq!(again, id);
    assert!(
        reopened.contains("# The ConfigMap \"settings\" is invalid"),
        "{reopened}"
    );
    let reopened = reopened.to_string();
    assert_eq!(
        save(
            &mut c,
            id,
            Some(reopened.replace("\"bad key!\": fast", "mode: slow"))
        ),
        "configmap/settings edited\n"
    );
}
