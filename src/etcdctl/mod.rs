//! etcdctl: the command layer that answers like etcdctl 3.4 (commands, flags, output formats).
