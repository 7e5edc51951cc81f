//! Field schemas of the served kinds (names, types, merge keys), for strict decoding and explain.
