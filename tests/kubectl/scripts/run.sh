# kubectl run: a pod from an image, its flags, the generated object, and its errors
kubectl run web --image=nginx:1.27
kubectl run once --image=busybox:1.36 --restart=Never --labels=app=once,tier=batch --env=MODE=fast --env=LEVEL=3 --port=8080
kubectl run echo --image=busybox:1.36 --restart=Never --command -- echo hello world
kubectl run args --image=busybox:1.36 --restart=Never -- sleep 5
kubectl run dry --image=nginx:1.27 --dry-run=client -o yaml
kubectl run dry --image=nginx:1.27 --port=80 --labels=app=dry --env=A=b --dry-run=client -o json
kubectl run dry --image=nginx:1.27 --dry-run=server -o yaml
kubectl run dry --image=nginx:1.27 --dry-run=client -o name
kubectl run dry --image=nginx:1.27 --dry-run=client
kubectl run dry --image=nginx:1.27 --dry-run=server
kubectl run dry --image=nginx:1.27 --restart=OnFailure --dry-run=client -o yaml
kubectl run dry --image=nginx:1.27 --image-pull-policy=Always --privileged --dry-run=client -o yaml
kubectl run dry --image=nginx:1.27 --annotations=owner=team-a --dry-run=client -o yaml
kubectl run dry --image=nginx:1.27 --overrides='{"spec":{"nodeName":"worker-1"}}' --dry-run=client -o yaml
kubectl run dry --image=nginx:1.27 --expose --port=80 --dry-run=client -o yaml
sleep 10
kubectl get pods --show-labels
kubectl get pod once -o jsonpath='{.spec.containers[0].env}{"\n"}{.spec.containers[0].ports}{"\n"}'
kubectl get pod echo -o jsonpath='{.spec.containers[0].command}{" "}{.spec.containers[0].args}{"\n"}'
kubectl get pod args -o jsonpath='{.spec.containers[0].command}{" "}{.spec.containers[0].args}{"\n"}'
kubectl logs echo
kubectl run web --image=nginx:1.27
kubectl run web2
kubectl run
kubectl run Bad_Name --image=nginx
kubectl run web3 --image=nginx --restart=Sometimes
kubectl run web3 --image=nginx --port=http
kubectl run web3 --image=nginx --labels=app
kubectl run web3 --image=nginx --env=NOVALUE
kubectl run web3 --image=nginx --expose
kubectl run web3 --image=nginx --dry-run=maybe
kubectl run web3 --image=nginx -o yml
kubectl run web3 --image=nginx --frob
kubectl run web3 --image=nginx --as jane -n kube-system
kubectl run web3 --image=nginx -n nope
kubectl run web3 --image=nginx --overrides='{nope'
kubectl delete pod web once echo args
