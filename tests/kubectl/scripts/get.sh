# kubectl get on the cluster as it boots: nodes, namespaces, the control plane's static pods
kubectl get nodes
kubectl get nodes -o wide
kubectl get node worker-1
kubectl get no/worker-2 node/control-plane
kubectl get nodes --show-labels
kubectl get nodes -L topology.kubernetes.io/zone
kubectl get nodes -l topology.kubernetes.io/zone=a-zone
kubectl get nodes -l 'topology.kubernetes.io/zone in (a-zone, b-zone)' -o name
kubectl get nodes -A
kubectl get namespaces
kubectl get namespace kube-system default
kubectl get pods
kubectl get pods -n kube-system
kubectl -n kube-system get pods -o wide
kubectl get pods -A --no-headers
kubectl get pods -A --field-selector spec.nodeName=control-plane
kubectl get pods -n kube-system -l component=etcd
kubectl get pod etcd-control-plane -n kube-system
kubectl get pod etcd-control-plane --namespace=kube-system --show-kind
kubectl get po/etcd-control-plane pod/kube-apiserver-control-plane -n kube-system
kubectl get pods,services -A
kubectl get all
kubectl get all -A
kubectl get svc
kubectl get endpoints
kubectl get endpointslices
kubectl get leases -n kube-node-lease
kubectl get priorityclasses
kubectl get storageclasses
kubectl get deployments -A
kubectl get configmaps -n kube-system -o name
kubectl get ns kube-public --ignore-not-found
kubectl get ns nope --ignore-not-found
kubectl get pods -l app=nothing
kubectl get pods -A -l app=nothing
