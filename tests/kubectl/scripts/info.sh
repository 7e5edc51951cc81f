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
