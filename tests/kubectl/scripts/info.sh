# what kubectl tells about the cluster and the API it serves
kubectl version
kubectl version --client
kubectl cluster-info
kubectl api-versions
kubectl api-resources
kubectl api-resources --namespaced=false
kubectl api-resources --api-group=apps -o wide
kubectl api-resources --verbs=list,watch --no-headers -o name
kubectl api-resources --sort-by=name --api-group=rbac.authorization.k8s.io
kubectl version -o json
kubectl version -o yaml
kubectl version --client -o json
kubectl version --client -o yaml
kubectl version -o wide
kubectl version extra
kubectl api-resources -o wide
kubectl api-resources -o name
kubectl api-resources --namespaced=true
kubectl api-resources --namespaced=true -o name --api-group=
kubectl api-resources --verbs=list
kubectl api-resources --verbs=get,patch --namespaced=false -o wide
kubectl api-resources --sort-by=name
kubectl api-resources --sort-by=kind --api-group=apps
kubectl api-resources --sort-by=age
kubectl api-resources -o yaml
kubectl api-resources --api-group=nosuch.example.com
kubectl api-resources --categories=all
kubectl api-resources extra
kubectl api-versions extra
kubectl api-versions --as jane
kubectl api-resources --as jane --api-group=apps
kubectl cluster-info extra
kubectl cluster-info --as jane
kubectl cluster-info dump --namespaces default -o yaml
kubectl cluster-info dump -A -o name
kubectl cluster-info dump -o wide
# `cluster-info dump` in its default -o json is left out: kubectl re-encodes what its typed
# client decoded, keys in the Go structs' field order, and kubestep's kubectl prints the keys
# in the order the server sent them (YAML sorts them, so -o yaml above is the same).
