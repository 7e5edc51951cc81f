# a kind the server does not serve: kubestep has no apiextensions.k8s.io (CRDs), so validation fails first, as the real kubectl reports it against this server
kubectl apply -f manifests/widget.yaml
kubectl get widgets
