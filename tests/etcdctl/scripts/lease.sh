# leases: grant, attach, time to live, keep-alive, revoke, expiry
etcdctl lease grant 100
etcdctl put k v --lease=$LEASE1
etcdctl lease timetolive $LEASE1
etcdctl lease timetolive $LEASE1 --keys
etcdctl lease timetolive $LEASE1 --keys -w json
etcdctl lease keep-alive --once $LEASE1
etcdctl lease list
etcdctl lease revoke $LEASE1
etcdctl lease revoke $LEASE1
etcdctl lease timetolive $LEASE1
etcdctl get k
etcdctl lease grant 2
etcdctl put short v --lease=$LEASE2
etcdctl get short
sleep 4
etcdctl get short
etcdctl lease timetolive $LEASE2
etcdctl lease grant 30
etcdctl lease keep-alive $LEASE3 &
sleep 1
interrupt
etcdctl lease keep-alive --once 1234
etcdctl lease keep-alive --once $LEASE3 -w json
etcdctl lease grant 100
sleep 1
etcdctl lease timetolive $LEASE4 -w fields
