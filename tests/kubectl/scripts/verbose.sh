# kubectl's request logs: -v=6 to -v=9 on reads, writes and errors
# The first apply fetches the OpenAPI documents; later runs read them from kubectl's HTTP cache
# (~/.kube/cache/http), which kubestep does not model (the real -v=8 shows `X-From-Cache: 1`):
# later applies log at -v=6, where a cached answer looks like a fetched one.
kubectl apply -f manifests/pinned-pod.yaml -v=8
kubectl create deployment web --image=nginx:1.27 --replicas=2
sleep 10
kubectl get pods -v=6
kubectl get pods -l app=web -v=7
kubectl get pod pinned -o yaml -v=8
kubectl get pod pinned -o name -v=9
kubectl get pods,deployments -o name -v=6
kubectl apply -f manifests/pinned-pod.yaml -v=6
kubectl apply -f manifests/pinned-pod-v2.yaml -v=6
kubectl scale deployment web --replicas=3 -v=6
sleep 3
kubectl scale deployment web --replicas=1 -v=8
sleep 3
kubectl describe pod pinned -v=6
kubectl describe deployment web -v=7
kubectl get pod nosuch -v=8
kubectl get pods --as jane -n kube-system -v=8
# `delete` without --wait=false is left out at -v: kubectl waits with an informer whose watch
# asks for a random timeoutSeconds and whose end logs the closed connection's local port.
kubectl delete pod pinned --wait=false -v=6
kubectl delete deployment web --wait=false -v=9
