# apply and create from files, directories, multi-document YAML and heredocs; delete them again
kubectl apply -f manifests/pod.yaml
kubectl apply -f manifests/pod.yaml
kubectl apply -f manifests/pod-v2.yaml
kubectl get pods --show-labels
kubectl apply -f manifests/app
kubectl apply -f manifests/app
kubectl apply -f manifests/multi.yaml
kubectl get configmaps -n team-a
kubectl apply -f manifests/pod.yaml --dry-run=client
kubectl apply -f manifests/app/service.yaml --dry-run=server
cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: from-heredoc
data:
  greeting: hello
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: from-heredoc
data:
  greeting: hello again
EOF
kubectl apply -f manifests/in-team-a.yaml --server-side
kubectl apply -f manifests/in-team-a.yaml --server-side
kubectl create -f manifests/pod.yaml
kubectl create -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: created
EOF
kubectl create -f manifests/pod.yaml --dry-run=client -o name
kubectl get configmaps
kubectl delete -f manifests/app
kubectl delete pod web
kubectl delete configmap from-heredoc created
kubectl delete configmaps -n team-a -l '!missing' --all
kubectl delete configmaps --all -n team-a
kubectl delete -f manifests/multi.yaml -n team-a --ignore-not-found
kubectl get pods,configmaps
# jane may not read pods in kube-system: apply stops at its first GET, and says which object.
kubectl --context jane@kubernetes apply -f manifests/hello-kube-system.yaml
