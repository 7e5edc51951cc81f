# labels and annotations, and what selects on them
kubectl apply -f manifests/pod.yaml
kubectl label pod web env=prod
kubectl label pod web env=dev
kubectl label pod web env=dev --overwrite
kubectl get pods --show-labels
kubectl get pods -l env=dev
kubectl get pods -l env=prod
kubectl label pod web env-
kubectl label pod web env-
kubectl annotate pod web owner=team-a
kubectl annotate pod web owner=team-b
kubectl annotate pod web owner=team-b --overwrite
kubectl get pod web -o jsonpath='{.metadata.annotations.owner}'
echo
kubectl label pods --all tier=web
kubectl get pods -L tier
kubectl delete pod web
