//! Authorization: the Node authorizer and RBAC, with the bootstrap policy of a real cluster.
