# workloads through kubectl's generators and commands: create, scale, set image, rollout, expose, patch
kubectl create deployment web --image=nginx:1.27 --replicas=2
sleep 5
kubectl get deployment web
kubectl scale deployment web --replicas=3
sleep 5
kubectl get deployment web
kubectl set image deployment/web nginx=nginx:1.28
sleep 15
kubectl rollout history deployment/web
kubectl rollout undo deployment/web
sleep 15
kubectl rollout history deployment/web
kubectl get replicasets
kubectl expose deployment web --port=80
kubectl get service web -o jsonpath='{.spec.ports[0].port} {.spec.selector}'
echo
kubectl patch deployment web -p '{"spec":{"replicas":1}}'
# Let the controllers finish the scale-down: the second patch then changes nothing (right after
# the first, the Deployment's status may change between kubectl's GET and its PATCH).
sleep 5
kubectl patch deployment web -p '{"spec":{"replicas":1}}'
kubectl create configmap cfg --from-literal=mode=fast
kubectl create namespace team
kubectl create role reader --verb=get,list --resource=pods
kubectl create rolebinding read --role=reader --user=jane
kubectl auth can-i list pods --as jane
kubectl scale deployment nope --replicas=1
kubectl set image deployment/web nope=nginx
kubectl delete deployment web
kubectl delete service web
