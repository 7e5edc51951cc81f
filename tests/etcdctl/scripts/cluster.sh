# the member and its status, as kubeadm's etcd reports them
etcdctl put a 1
etcdctl member list
etcdctl member list -w json
etcdctl member list -w table
etcdctl member list -w fields
etcdctl endpoint status
etcdctl endpoint status -w json
etcdctl endpoint status -w table
etcdctl endpoint status -w fields
etcdctl endpoint status -w protobuf
