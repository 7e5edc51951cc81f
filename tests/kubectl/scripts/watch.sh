# differential: no (the order of watch events follows timing: the real run starts watching after the pods were scheduled)
# watches: `timeout` runs a watch for a while of simulated time, as coreutils' timeout does
kubectl apply -f manifests/app/deployment.yaml
timeout 5s kubectl get pods -w
kubectl get deployments,replicasets
timeout 3s kubectl get deployment shop -w
sim stop kubelet worker-1
timeout 60s kubectl get nodes -w
sim start kubelet worker-1
timeout 15s kubectl get nodes --watch-only
kubectl delete deployment shop
timeout 40s kubectl get pods -w --output-watch-events
kubectl get pods
