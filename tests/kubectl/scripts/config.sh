# the kubeconfig: contexts for kubernetes-admin and jane
kubectl config current-context
kubectl config get-contexts
kubectl config get-contexts jane@kubernetes
kubectl config get-contexts nope
kubectl config use-context jane@kubernetes
kubectl config current-context
kubectl get pods
kubectl get nodes
kubectl config set-context --current --namespace=kube-system
kubectl config get-contexts
kubectl config use-context kubernetes-admin@kubernetes
kubectl config set-context --current --namespace=kube-system
kubectl get pods
kubectl config set-context --current --namespace=default
kubectl get pods --context=jane@kubernetes
kubectl get pods --user=jane
kubectl config use-context nobody@nowhere
kubectl get pods --context=nobody@nowhere
kubectl config frob
