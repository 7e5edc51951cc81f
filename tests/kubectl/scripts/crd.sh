# differential: no (kubestep serves no apiextensions.k8s.io, so the real kubectl's field-validation check takes another path and reports "error validating data" before the mapping error a real cluster gives)
# a kind the server does not serve (no CRD installed)
kubectl apply -f manifests/widget.yaml
kubectl get widgets
