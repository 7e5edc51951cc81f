# kubectl edit with no one at the editor (EDITOR=true): it closes unchanged and kubectl says so.
# Not here: several objects at once, which kubectl edits as one List and checks against the
# OpenAPI v2 document on the way (`/openapi/v2`, which kubestep's API server does not serve).
kubectl apply -f manifests/pod.yaml
kubectl apply -f manifests/app/service.yaml
kubectl edit pod web
kubectl edit configmaps
kubectl edit configmaps -n nope
kubectl edit pod web --subresource=foo
kubectl edit svc shop -o json
kubectl edit -f manifests/pod.yaml
kubectl edit pods
kubectl edit configmaps -l app=nothing
kubectl edit pod web --subresource=status
kubectl edit pod web --subresource=scale
kubectl edit pod web -o yml
kubectl edit pod nope
kubectl edit pod web -n nope
kubectl edit podz web
kubectl edit
kubectl edit pod web --frob
kubectl edit pod web --as jane
kubectl edit ns kube-system --as jane
kubectl edit node worker-1 --user jane
kubectl delete pod web
kubectl delete -f manifests/app/service.yaml
