# usage errors answer like cobra and etcdctl
etcdctl foo
etcdctl gett
etcdctl get
etcdctl get --bogus
etcdctl get a --limit=x
etcdctl get a --prefix --from-key
etcdctl get a b --prefix
etcdctl get a --sort-by=bogus
etcdctl get a --order=x
etcdctl get a --consistency=x
etcdctl get a -w table
etcdctl -x get a
etcdctl put
etcdctl put a
etcdctl put a --lease=zz b
etcdctl put a b --lease=123
etcdctl put zz --ignore-value
etcdctl put a --ignore-value x
etcdctl del
etcdctl del a b c
etcdctl compaction
etcdctl compaction x
etcdctl lease grant
etcdctl lease grant x
etcdctl lease revoke
etcdctl lease
etcdctl version
ETCDCTL_API=3 etcdctl version
etcdctl -w bogus get a
etcdctl get a -w bogus
etcdctl --command-timeout=x get a
etcdctl --bogus get a
etcdctl
etcdctl help
etcdctl help get
etcdctl get -h
etcdctl lease grant --help
etcdctl member
etcdctl put t 1 -w table
etcdctl get t -w table
etcdctl get t --rev=99 -w table
etcdctl lease grant 10 -w table
etcdctl lease list -w table
etcdctl compaction 1 -w table
etcdctl version -w table
etcdctl endpoint status -w protobuf
etcdctl watch t --rev=1 -w table &
interrupt
etcdctl help bogus
etcdctl help lease grant
