# watches: history from a revision, live events, cancellation by compaction
etcdctl put a 1
etcdctl put a 2
etcdctl del a
etcdctl watch a --rev=1 --prev-kv &
interrupt
etcdctl watch a --rev=1 -w json &
interrupt
etcdctl watch '' --prefix --rev=2 -w fields &
interrupt
etcdctl watch a &
etcdctl put a 5
etcdctl put b 6
etcdctl del a
interrupt
etcdctl compaction 5
etcdctl watch a --rev=2 &
interrupt
etcdctl watch
etcdctl watch a b --prefix
etcdctl watch --prefix '' --prev-kv -w json &
etcdctl put p 1
etcdctl put p 2
interrupt
etcdctl watch a b c &
etcdctl put a 7
etcdctl put aa 8
interrupt
