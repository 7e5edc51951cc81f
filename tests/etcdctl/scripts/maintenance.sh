# health, alarms and defragmentation
etcdctl put a 1
etcdctl endpoint health
etcdctl endpoint health -w json
etcdctl endpoint health -w table
etcdctl endpoint health -w fields
etcdctl endpoint health -w protobuf
etcdctl alarm list
etcdctl alarm list -w json
etcdctl alarm disarm
etcdctl alarm list x
etcdctl alarm
etcdctl defrag
etcdctl defrag -w json
etcdctl get a
