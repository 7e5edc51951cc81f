# ranges, sorting and limits
etcdctl put /registry/pods/default/a 1
etcdctl put /registry/pods/default/b 22
etcdctl put /registry/pods/kube-system/c 3
etcdctl put /registry/services/d 4
etcdctl put z 5
etcdctl get /registry/pods/ --prefix --keys-only
etcdctl get /registry/pods/ --prefix --keys-only -w json
etcdctl get /registry/ --prefix --limit=2 -w fields
etcdctl get /registry/ --prefix --sort-by=MODIFY --order=DESCEND --print-value-only
etcdctl get /registry/ --prefix --sort-by=VALUE
etcdctl get /registry/ --prefix --order=DESCEND
etcdctl get /registry/ --prefix --sort-by=key --order=ascend
etcdctl get '' --from-key --keys-only
etcdctl get z --from-key
etcdctl get /registry/pods/default/a /registry/services/
etcdctl get /registry/ --prefix --rev=3 --keys-only
etcdctl get /registry/ --prefix --limit=-1 --keys-only
etcdctl del /registry/pods/ --prefix
etcdctl del '' --from-key --prev-kv -w json
etcdctl get '' --prefix
