# errors, in the real tool's words
kubectl frob
kubectl gett pods
kubectl get pods --frob
kubectl get pods -n
kubectl get
kubectl get podz
kubectl get pod nope
kubectl get pods nope also-nope
kubectl get pod/nope pod
kubectl get namespace nope
kubectl delete pod nope
kubectl delete pods
kubectl delete
kubectl apply -f manifests/broken.yaml
kubectl apply -f manifests/bad-name.yaml
kubectl apply -f manifests/bad-pod.yaml
kubectl create -f manifests/bad-pod.yaml
kubectl apply -f manifests/unknown-field.yaml
kubectl apply -f manifests/no-kind.yaml
kubectl apply -f manifests/in-team-a.yaml -n default
kubectl apply -f manifests/in-team-a.yaml
kubectl apply -f manifests/missing.yaml
kubectl apply
kubectl apply -f - <<EOF
EOF
kubectl apply -f manifests/pod.yaml --dry-run=maybe
kubectl delete pods --all -l app=web
kubectl delete pod web --force --grace-period=5
kubectl get pods -o yml
kubectl get pods,svc -w
kubectl get pods --show-labels -o name
