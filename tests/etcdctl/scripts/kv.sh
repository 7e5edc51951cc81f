# get, put, del in every output format
etcdctl put foo bar
etcdctl put foo baz --prev-kv
etcdctl put a 1
etcdctl put b 2 -w json
etcdctl put c 3 -w fields
etcdctl get foo
etcdctl get foo -w json
etcdctl get foo -w fields
etcdctl get a c
etcdctl get '' --prefix --limit 2 -w json
etcdctl get a --from-key --sort-by=VALUE --order=DESCEND
etcdctl get a --from-key --keys-only
etcdctl get foo --print-value-only
etcdctl get foo --rev=1
etcdctl get foo --consistency=s
etcdctl get missing
etcdctl del a --prev-kv
etcdctl del a
etcdctl del '' --prefix --prev-kv -w json
etcdctl put x 1
etcdctl del x -w fields --prev-kv
etcdctl put "a key" "a value"
etcdctl get "a key" -w json
etcdctl get foo --hex
etcdctl --command-timeout=3s --dial-timeout=1s --insecure-skip-tls-verify get foo
etcdctl --debug=false --keepalive-time=3s get foo -w=json
etcdctl get -wjson foo
etcdctl put fromstdin <<EOF2
hello
EOF2
etcdctl get fromstdin -w json
etcdctl put --ignore-value fromstdin <<EOF2
ignored
EOF2
