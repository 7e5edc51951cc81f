# who kubectl is and what it may do, service account tokens, explain, and the deprecated component statuses
kubectl auth whoami
kubectl auth whoami -o yaml
kubectl auth whoami -o wide
kubectl auth can-i --list
kubectl auth can-i --list -n kube-system --no-headers
kubectl --context jane@kubernetes auth can-i --list
kubectl auth can-i --list pods
kubectl auth can-i --list -A
kubectl auth can-i get pods --no-headers
kubectl create token nope
kubectl create token default --duration=1m
kubectl create token default --duration=-1s
kubectl create token default --duration=1500ms
kubectl create token default --bound-object-kind ConfigMap --bound-object-name x
kubectl create token default --bound-object-kind Pod --bound-object-name nope
kubectl create token default -o jsonpath='{.spec.audiences}{"\n"}'
kubectl get cs etcd-0
kubectl get componentstatuses scheduler -o yaml
kubectl get cs nope
kubectl explain pods
kubectl explain pods.spec.containers.resources
kubectl explain svc.spec --recursive
kubectl explain deployments.apps.spec.strategy
kubectl explain cs
kubectl explain podz
kubectl explain pods.spec.foo
kubectl explain pods --api-version=apps/v1
kubectl explain pods --api-version=v2
