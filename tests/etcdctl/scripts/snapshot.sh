# snapshot save and status (files relative to the working directory)
etcdctl put a 1
etcdctl put b 2
etcdctl del a
etcdctl snapshot save backup.db
etcdctl snapshot status backup.db
etcdctl snapshot status backup.db -w json
etcdctl snapshot status backup.db -w table
etcdctl snapshot status backup.db -w fields
etcdctl snapshot status missing.db
etcdctl snapshot save
etcdctl snapshot status
etcdctl snapshot
