# kubectl logs and kubectl events: containers that print known text, their errors
kubectl apply -f manifests/chatty-pod.yaml
sleep 3
kubectl apply -f manifests/hello-job.yaml
sleep 3
kubectl create deployment greeter --image=busybox:1.36 -- sh -c 'echo hello from greeter; sleep 3600'
sleep 3
kubectl apply -f manifests/crasher-pod.yaml
sleep 5
kubectl logs chatty
kubectl logs chatty -c main
kubectl logs chatty sidecar
kubectl logs chatty -c sidecar --tail=1
kubectl logs chatty -c main --tail=2
kubectl logs chatty -c main --tail=0
kubectl logs chatty -c main --tail=-1
# --all-containers on a pod with several containers is left out: kubectl reads the containers'
# logs from a Go map, so their order changes from run to run.
kubectl logs deploy/greeter --all-containers --prefix
kubectl logs chatty -c main --prefix
kubectl logs chatty -c main --timestamps
kubectl logs chatty -c main --timestamps --tail=1 --prefix
kubectl logs chatty -c main --limit-bytes=6
kubectl logs chatty -c main -p
kubectl logs crasher -p
kubectl logs crasher --previous --timestamps
kubectl logs crasher
kubectl logs chatty -c nope
kubectl logs job/hello
kubectl logs deploy/greeter
kubectl logs deployment/greeter --tail=1
kubectl logs -l app=chatty -c main
kubectl logs -l app=chatty -c main --tail=-1
kubectl logs -l app=nobody
kubectl logs -l app=chatty chatty
kubectl logs chatty main -c sidecar
kubectl logs chatty --all-containers -c main
kubectl logs chatty --limit-bytes=-1
kubectl logs chatty --tail=-2
kubectl logs nosuchpod
kubectl logs deploy/nosuch
kubectl logs widgets/nosuch
kubectl logs chatty main extra
kubectl logs
kubectl logs chatty --tail=x
kubectl logs chatty --as jane
kubectl logs chatty -n kube-system
kubectl logs -l app=chatty --as jane -n kube-system
# A plain `kubectl events` is left out: its 20-odd events fall in a few seconds, and which of
# the same second comes first depends on when each run's events were recorded.
kubectl events --types=Warning
kubectl events --types=warning --no-headers
kubectl events -A --types=Warning
kubectl events --for pod/crasher --types=Normal,Warning
kubectl events --for pod/chatty
kubectl events --for=job/hello
kubectl events --for=job/hello -o yaml
kubectl events --for=job/hello -o json
kubectl events --for pod/chatty -o jsonpath='{range .items[*]}{.reason}{" "}{.involvedObject.fieldPath}{"\n"}{end}'
kubectl events --for pod/chatty -o name
kubectl events --for pod/chatty -o wide
kubectl events --for pod/chatty/x
kubectl events --for all/x
kubectl events --types=Normal --for deployment/greeter
kubectl events --types=Bogus
kubectl events --for chatty
kubectl events --for pod/nosuch
kubectl events --for widgets/x
kubectl events -A --types=Warning --for pod/nosuch
kubectl events -n kube-system --for pod/nosuch
kubectl events --as jane
