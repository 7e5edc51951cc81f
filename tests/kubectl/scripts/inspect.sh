# logs, events and access checks
kubectl apply -f manifests/app/deployment.yaml
sleep 5
kubectl logs deploy/shop --tail=3
kubectl logs deploy/shop -c nope
kubectl logs
kubectl auth can-i create pods
kubectl auth can-i list nodes
kubectl auth can-i create pods --as jane
kubectl auth can-i create pods --as jane -n kube-system
kubectl auth can-i get pods/log --as jane
kubectl auth can-i frobnicate widgets
kubectl events --types=Warning
kubectl delete -f manifests/app/deployment.yaml
