# compaction and reads of compacted or future revisions
etcdctl put k v1
etcdctl put k v2
etcdctl put k v3
etcdctl get k --rev=2
etcdctl compaction 3
etcdctl get k --rev=2
etcdctl get k --rev=3
etcdctl compaction 3
etcdctl compaction 2
etcdctl compaction 100 --physical
etcdctl get k --rev=100
