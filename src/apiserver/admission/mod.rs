//! Admission plugins of kube-apiserver 1.33 (placeholder while being written).
