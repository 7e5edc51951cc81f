# kubectl delete's variants: grace periods, cascades, selectors, --all, files, --now, --wait=false,
# and its errors
kubectl apply -f manifests/multi.yaml
kubectl apply -f manifests/cm.yaml
kubectl create configmap a --from-literal=k=v
kubectl create configmap b --from-literal=k=v
kubectl label configmap a b group=ab
kubectl create deployment keep --image=nginx:1.27
kubectl create deployment gone --image=nginx:1.27
kubectl create deployment front --image=nginx:1.27
sleep 10
kubectl delete configmap settings --grace-period=0
kubectl delete configmap a --now
kubectl delete configmap b --wait=false
kubectl delete configmaps -l group=ab
kubectl delete configmaps -l group=ab --ignore-not-found
kubectl delete deployment keep --cascade=orphan
sleep 5
kubectl get replicasets -l app=keep -o name
kubectl delete replicasets -l app=keep
kubectl delete deployment gone --cascade=foreground
kubectl delete deployment front --cascade=background --dry-run=client
kubectl delete deployment front --cascade=background --dry-run=server
kubectl delete deployment front --cascade=frob
kubectl delete deployment front --cascade=false
kubectl delete -f manifests/multi.yaml --dry-run=server
kubectl delete -f manifests/multi.yaml
kubectl delete -f manifests/multi.yaml
kubectl delete configmaps --all -n nope
kubectl delete configmap settings a
kubectl delete configmap
kubectl delete configmap x --all
kubectl delete configmaps -l 'bad label'
kubectl delete configmap kube-root-ca.crt --as jane -n kube-system
kubectl delete configmap kube-root-ca.crt --user jane -n kube-public
kubectl delete namespace default
kubectl delete ns kube-system --dry-run=server
kubectl delete pod nope --grace-period=-5
kubectl delete pod nope --now --grace-period=3
kubectl delete pod nope --force
kubectl delete pod nope --frob
kubectl delete -f manifests/missing.yaml
kubectl delete deployment front -o name
kubectl delete deployment front -o yaml
