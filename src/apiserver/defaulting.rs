//! Defaulting: the defaults kube-apiserver fills into objects of the served kinds.
