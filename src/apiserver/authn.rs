//! Authentication: who is making the request (bearer tokens, client certificates, component identities).
