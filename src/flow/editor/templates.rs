//! The manifests a learner starts from in the editor, each a name and its YAML. The first is
//! the default: a small nginx Deployment, so that one Apply shows all eleven steps. The others
//! show a kind each, and three show what goes wrong: a Pod no node can take, a Pod whose image
//! cannot be pulled, and a Pod the API server refuses.

/// One template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Template {
    /// The picker's label.
    pub name: &'static str,
    pub yaml: &'static str,
}

/// The default template: what the editor holds when the page opens.
pub const DEFAULT: &Template = &TEMPLATES[0];

/// The template named `name`.
pub fn by_name(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

pub const TEMPLATES: [Template; 11] = [
    Template {
        name: "Deployment (nginx)",
        yaml: "\
# A Deployment keeps 2 nginx Pods running: it creates a ReplicaSet,
# which creates the Pods; the scheduler puts each on a node.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
",
    },
    Template {
        name: "Pod",
        yaml: "\
# A single Pod: no controller owns it, so nothing replaces it if it goes.
apiVersion: v1
kind: Pod
metadata:
  name: hello
  labels:
    app: hello
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
",
    },
    Template {
        name: "ReplicaSet",
        yaml: "\
# A ReplicaSet keeps 3 Pods matching its selector (a Deployment manages
# ReplicaSets for you; this is the layer underneath).
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: frontend
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
      - name: httpd
        image: httpd:2.4
",
    },
    Template {
        name: "Service + Deployment",
        yaml: "\
# Two documents: a Deployment, and a Service that selects its Pods
# (app: web) and gives them one stable address.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
",
    },
    Template {
        name: "ConfigMap",
        yaml: "\
# Configuration as keys and values, for Pods to read as files or
# environment variables.
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
  max-items: \"10\"
  app.properties: |
    greeting=hello
    retries=3
",
    },
    Template {
        name: "Secret",
        yaml: "\
# A Secret's data is base64-encoded (encoded, not encrypted):
# username is \"admin\", password is \"s3cr3t\".
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
type: Opaque
data:
  username: YWRtaW4=
  password: czNjcjN0
",
    },
    Template {
        name: "Job",
        yaml: "\
# A Job runs a Pod to completion: this one prints pi to 100 digits
# and exits 0, and the Job is Complete.
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  backoffLimit: 4
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34.0
        command: [\"perl\", \"-Mbignum=bpi\", \"-wle\", \"print bpi(100)\"]
",
    },
    Template {
        name: "DaemonSet",
        yaml: "\
# A DaemonSet runs one Pod on every node, the way log collectors and
# kube-proxy run. The toleration lets it onto the control-plane node too.
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  labels:
    app: node-agent
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: agent
        image: busybox:1.36
        command: [\"sh\", \"-c\", \"while true; do echo collecting; sleep 60; done\"]
",
    },
    Template {
        name: "Pod that cannot be scheduled",
        yaml: "\
# This Pod asks for 8 CPUs; the biggest node has 4. The scheduler
# finds no node that fits, so the Pod stays Pending, and its events
# say why (kubectl describe pod big).
apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    resources:
      requests:
        cpu: \"8\"
",
    },
    Template {
        name: "Pod with an image that cannot be pulled",
        yaml: "\
# A typo in the image name (ngnix): the registry has no such
# repository, so the kubelet cannot pull it (ErrImagePull, then
# ImagePullBackOff while it retries).
apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  containers:
  - name: web
    image: ngnix:1.27
",
    },
    Template {
        name: "Invalid Pod",
        yaml: "\
# The API server refuses this Pod (422 Unprocessable Entity): names
# must be lowercase, and every container needs an image.
apiVersion: v1
kind: Pod
metadata:
  name: MyPod
spec:
  containers:
  - name: web
",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::editor::lint::lint;

    #[test]
    fn every_template_is_valid_yaml_with_a_unique_name() {
        for t in &TEMPLATES {
            assert_eq!(lint(t.yaml), vec![], "{}", t.name);
            assert_eq!(by_name(t.name), Some(t));
        }
        assert_eq!(DEFAULT.name, "Deployment (nginx)");
    }
}
