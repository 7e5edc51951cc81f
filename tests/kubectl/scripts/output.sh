# kubectl get's output formats, selectors and several kinds at once. The objects are a pod bound
# by nodeName and a ConfigMap: where the scheduler puts a pod follows timing in the real run.
# Not here: -o go-template, which kubestep's kubectl does not run (it says so).
kubectl apply -f manifests/pinned-pod.yaml
kubectl apply -f manifests/cm.yaml
kubectl label configmap settings tier=config
sleep 5
kubectl get pod pinned -o wide
kubectl get pod pinned -o yaml
kubectl get pod pinned -o json
kubectl get pod pinned -o yaml --show-managed-fields
kubectl get configmap settings -o yaml
kubectl get configmap settings -o json
kubectl get pods,configmaps -o name
kubectl get pod pinned -o jsonpath='{.metadata.name} {.spec.nodeName} {.status.phase}{"\n"}'
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.spec.containers[*].image}{"\n"}{end}'
kubectl get pod pinned -o jsonpath-as-json='{.spec.containers[0].ports}'
kubectl get pod pinned -o jsonpath='{.nope}'
kubectl get pod pinned -o jsonpath='{.metadata.name'
kubectl get pod pinned -o jsonpath=
kubectl get pod pinned -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,IMAGE:.spec.containers[0].image
kubectl get pods -o custom-columns=NAME:.metadata.name,MISSING:.spec.nope --no-headers
kubectl get pods -o custom-columns=NAME
kubectl get pods -o custom-columns=
kubectl get configmaps --show-labels
kubectl get configmaps -L tier -L nope
kubectl get configmaps -l tier=config
kubectl get configmaps -l 'tier in (config,other)' -o name
kubectl get configmaps -l '!tier'
kubectl get configmaps -l 'tier=='
kubectl get pods --field-selector status.phase=Running
kubectl get pods --field-selector spec.nodeName=worker-1,metadata.name=pinned
kubectl get pods --field-selector metadata.namespace!=default -A
kubectl get pods --field-selector spec.frob=x
kubectl get configmaps -A --field-selector metadata.name=settings
kubectl get pod,cm
kubectl get pod/pinned configmap/settings -o wide
kubectl get pod pinned configmap settings
kubectl get all -n default
kubectl get all -A -l app=pinned
kubectl get pods --sort-by=.metadata.name -A -l component=etcd
kubectl get pods --sort-by=.nope
kubectl get pod pinned -o yml
kubectl get pods -A --chunk-size=2 -l tier=control-plane -o name
kubectl get pod pinned --as jane -o name
kubectl get configmaps -n kube-system --as jane
kubectl get pod pinned -n nope
kubectl delete pod pinned
kubectl delete configmap settings
