# node maintenance: cordon, taint, drain, and where the pods go
kubectl apply -f manifests/app/deployment.yaml
sleep 5
kubectl cordon worker-1
kubectl cordon worker-1
kubectl get nodes
kubectl uncordon worker-1
kubectl uncordon node/worker-1
kubectl taint nodes worker-1 dedicated=gpu:NoSchedule
kubectl taint nodes worker-1 dedicated=gpu:NoSchedule
kubectl taint nodes worker-1 dedicated=gpu:NoSchedule --overwrite
kubectl taint nodes worker-1 dedicated:NoSchedule-
kubectl taint nodes worker-1 dedicated:NoSchedule-
kubectl taint pods web a=b:NoSchedule
kubectl taint nodes worker-1
kubectl drain worker-2
sleep 5
kubectl get pods -o wide
kubectl get nodes
kubectl uncordon worker-2
kubectl delete -f manifests/app/deployment.yaml
