# transactions from standard input
etcdctl put a 1
etcdctl txn <<EOF2
value("a") = "1"

put b 2
get a

put c 3

EOF2
etcdctl txn -w json <<EOF2
value("a") = "2"

put b 2

put c 3
del a

EOF2
etcdctl txn -w fields <<EOF2
mod("a") > "0"
version("a") = "1"
create("a") < "10"
value("a") != "x"

get a --prefix
del b --prev-kv
put d 4 --prev-kv

EOF2
etcdctl txn <<EOF2
mod("a") > 0

EOF2
etcdctl txn <<EOF2

put x 1
EOF2
etcdctl txn <<EOF2

bogus x

EOF2
etcdctl txn -i <<EOF2
value("a") = "1"

put b 2


EOF2
etcdctl txn x <<EOF2

EOF2
etcdctl txn <<EOF2

get a --bogus

EOF2
etcdctl txn <<EOF2

del a --limit=x

EOF2
etcdctl txn <<EOF2

get a --limit=x

EOF2
etcdctl txn <<EOF2

put a b --lease=zz

EOF2
etcdctl txn <<EOF2

get -w json a

EOF2
etcdctl txn <<EOF2

put "a b" 'c d'
get "a b"


EOF2
etcdctl txn -w json <<EOF2
version("nokey") = "0"

get a --prefix
get missing
put e 5 --prev-kv


EOF2
etcdctl txn <<EOF2
c("a") > "100"
m("a") != "1"

del '' --from-key

get a

EOF2
