# kubectl describe: one object, several at once, by label, and its errors. The pod is bound by
# nodeName: where the scheduler puts a pod, and so the order of its Scheduled and Pulling events
# within a second, follows timing in the real run. ConfigMaps and Secrets have one key each: the
# real describe walks their data as a Go map, in random order.
kubectl apply -f manifests/app
kubectl apply -f manifests/pinned-pod.yaml
kubectl create configmap cfg --from-literal=mode=fast
kubectl create secret generic creds --from-literal=password=s3cret
kubectl create job once --image=busybox:1.36 -- echo done
sleep 10
kubectl describe pod pinned
kubectl describe pods -l app=pinned
kubectl describe deployment shop
kubectl describe replicasets -l app=shop
kubectl describe node control-plane
kubectl describe service shop
kubectl describe namespace default
kubectl describe configmap cfg
kubectl describe secret creds
kubectl describe job once
kubectl describe configmap cfg secret/creds
kubectl describe pods pin
kubectl describe pods -l app=nothing
kubectl describe pod nope
kubectl describe podz web
kubectl describe
kubectl describe pod pinned --frob
kubectl describe pod pinned --user jane
kubectl describe pod pinned --as jane
kubectl describe ns kube-system --as jane
kubectl describe pod pinned -n nope
kubectl delete -f manifests/app
kubectl delete pod pinned
kubectl delete configmap cfg
kubectl delete secret creds
kubectl delete job once
