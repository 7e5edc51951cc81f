//! Strict decoding of JSON and YAML request bodies, with kube-apiserver's error texts.
