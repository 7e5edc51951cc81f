# kubectl create's generators and kubectl replace, with their dry runs and errors. Server dry
# runs print as YAML: as JSON the real kubectl writes a typed client's answer in the Go
# struct's field order, which kubestep's kubectl does not know for what the server answers.
# The replaced pod is bound by nodeName (where the scheduler puts it follows timing in the
# real run) and settles first (a status update between replace's GET and PUT is a Conflict).
kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80
kubectl create deployment multi --image=nginx:1.27 --image=busybox:1.36 --dry-run=client -o yaml
kubectl create deployment web --image=nginx:1.27 --dry-run=server -o yaml
kubectl create deployment cmd --image=busybox:1.36 --dry-run=client -o yaml -- sleep 100
kubectl create deployment web --image=nginx:1.27
kubectl create deployment noimage
kubectl create deployment
kubectl create deployment bad --image=nginx --replicas=x
kubectl create namespace team
kubectl create namespace team
kubectl create namespace Bad_Name
kubectl create namespace other --dry-run=client -o yaml
kubectl create configmap cfg --from-literal=mode=fast --from-literal=size=3
kubectl create configmap cfg2 --from-file=manifests/pod.yaml --dry-run=client -o yaml
kubectl create configmap cfg3 --from-literal=novalue --dry-run=client -o yaml
kubectl create configmap cfg3 --from-literal=a=1 --from-literal=a=2
kubectl create configmap cfg3 --from-file=manifests/missing.yaml
kubectl create secret generic creds --from-literal=user=admin --from-literal=password=s3cret
kubectl create secret generic creds2 --from-literal=token=abc --type=Opaque --dry-run=client -o yaml
kubectl create secret docker-registry reg --docker-server=registry.example.com --docker-username=u --docker-password=p --dry-run=client -o yaml
kubectl create secret generic
kubectl create secret frob x
kubectl create service clusterip api --tcp=80:8080
kubectl create service nodeport api-np --tcp=80:8080 --node-port=30080 --dry-run=client -o yaml
kubectl create service loadbalancer lb --tcp=443 --dry-run=client -o yaml
kubectl create service externalname ext --external-name=example.com --dry-run=client -o yaml
kubectl create service clusterip headless --clusterip=None --dry-run=client -o yaml
kubectl create service clusterip bad --tcp=eighty
kubectl create service clusterip bad
kubectl create role reader --verb=get,list --resource=pods,deployments.apps
kubectl create role reader2 --verb=get --resource=pods --resource-name=web --dry-run=client -o yaml
kubectl create role reader3 --verb=frob --resource=pods
kubectl create role reader3 --verb=get --resource=podz
kubectl create role reader3 --verb=get
kubectl create rolebinding read --role=reader --user=jane --serviceaccount=default:default
kubectl create rolebinding read2 --clusterrole=view --group=devs --dry-run=client -o yaml
kubectl create rolebinding read3 --user=jane
kubectl create rolebinding read3 --role=reader --serviceaccount=nocolon
kubectl create configmap x --from-literal=a=b --dry-run=maybe
kubectl create configmap x --from-literal=a=b -o yml
kubectl create configmap x --from-literal=a=b --frob
kubectl create configmap x --from-literal=a=b --as jane
kubectl create configmap x --from-literal=a=b -n nope
kubectl get deployment,configmap,secret,service,role,rolebinding --show-kind -o name
kubectl apply -f manifests/cm.yaml
kubectl replace -f manifests/cm-v2.yaml
kubectl get configmap settings -o jsonpath='{.data.color}{"\n"}'
kubectl replace -f manifests/cm-v2.yaml --dry-run=server -o yaml
kubectl replace -f manifests/cm-v2.yaml --dry-run=client
kubectl replace -f manifests/pinned-pod.yaml
kubectl apply -f manifests/pinned-pod.yaml
sleep 5
kubectl replace -f manifests/pinned-pod-v2.yaml
kubectl replace -f manifests/pinned-pod-v2.yaml --force --grace-period=0
kubectl get pod pinned -o jsonpath='{.spec.containers[0].image} {.metadata.labels.version}{"\n"}'
kubectl replace
kubectl replace -f manifests/missing.yaml
kubectl replace -f manifests/cm-v2.yaml --as jane -n kube-system
kubectl replace -f manifests/cm-v2.yaml --frob
kubectl delete deployment web
kubectl delete namespace team
kubectl delete configmap cfg settings
kubectl delete secret creds
kubectl delete service api
kubectl delete role reader
kubectl delete rolebinding read
kubectl delete pod pinned --now
