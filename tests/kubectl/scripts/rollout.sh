# rollouts and the commands that change a workload: rollout status|history|undo|restart|pause|
# resume, scale, set image, expose, annotate and label, with their errors. Each rollout gets
# time to finish before `rollout status` looks: the progress lines it prints while waiting follow
# timing in the real run.
kubectl create deployment web --image=nginx:1.27 --replicas=2
sleep 15
kubectl rollout status deployment/web
kubectl rollout status deployment/web --watch=false
kubectl rollout history deployment/web
kubectl set image deployment/web nginx=nginx:1.28
sleep 20
kubectl rollout status deployment/web --timeout=60s
kubectl rollout history deployment/web
kubectl rollout history deployment/web --revision=2
kubectl rollout history deployment/web --revision=9
kubectl rollout history deployment/web -o jsonpath='{.spec.template.spec.containers[0].image}{"\n"}'
kubectl rollout undo deployment/web --to-revision=1
sleep 20
kubectl rollout status deployment/web
kubectl rollout undo deployment/web --to-revision=9
kubectl rollout undo deployment/web --dry-run=client
kubectl rollout pause deployment/web
kubectl rollout pause deployment/web
kubectl rollout status deployment/web --watch=false
kubectl rollout undo deployment/web
kubectl set image deployment/web nginx=nginx:1.29
kubectl rollout resume deployment/web
kubectl rollout resume deployment/web
sleep 20
kubectl rollout status deployment/web
kubectl rollout status deployment/nope
kubectl rollout status pod/web
kubectl rollout history
kubectl rollout frob deployment/web
kubectl rollout undo deployment/web --as jane
kubectl scale deployment web --replicas=3
sleep 10
kubectl scale deployment web --replicas=1 --current-replicas=2
kubectl scale deployment web --replicas=1 --current-replicas=3
sleep 10
kubectl scale deployment web --replicas=-1
kubectl scale deployment web
kubectl scale deployment web --replicas=2 --dry-run=server -o jsonpath='{.spec.replicas}{"\n"}'
kubectl scale deployment web --replicas=2 --dry-run=server
kubectl scale deployment nope --replicas=1
kubectl scale pod web --replicas=1
kubectl scale deployment web --replicas=2 --as jane
kubectl set image deployment/web nope=nginx
kubectl set image deployment/web nginx=nginx:1.27 --dry-run=client -o yaml
kubectl set image deployment/web '*=nginx:1.27'
kubectl set image deployment/web
kubectl set image deployment/nope nginx=nginx
kubectl expose deployment web --port=80 --target-port=8080
kubectl expose deployment web --port=80 --name=web-np --type=NodePort --dry-run=client -o yaml
kubectl expose deployment web --port=443 --name=web-lb --type=LoadBalancer --protocol=TCP --dry-run=server -o yaml
kubectl expose deployment web --port=80 --name=web-bad --type=Frob
kubectl expose deployment web --port=80
kubectl expose deployment nope --port=80
kubectl expose deployment web --name=noport
kubectl get service web -o jsonpath='{.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector}{"\n"}'
kubectl annotate deployment web owner=team-a
kubectl annotate deployment web owner=team-b
kubectl annotate deployment web owner=team-b --overwrite
kubectl annotate deployment web owner-
kubectl annotate deployment web owner-
kubectl annotate deployment web 'bad key=x'
kubectl annotate deployment web
kubectl label deployment web tier=front
kubectl label deployment web tier=back
kubectl label deployment web tier=back --overwrite --dry-run=server -o name
kubectl label deployment web tier- tier=x
kubectl label deployment web tier-
kubectl label deployment web 'bad/key/x=y'
kubectl label deployment web tier=front --resource-version=1
kubectl label deployment nope tier=front
kubectl label deployment web tier=x --as jane -n kube-system
sleep 10
kubectl get deployment web --show-labels
# Last: the restarted template carries the time of the restart, and so does the name of its
# ReplicaSet (a hash of the template), which would differ from then on.
kubectl rollout restart deployment/web
sleep 20
kubectl rollout status deployment/web
kubectl rollout history deployment/web
kubectl delete service web
kubectl delete deployment web
