//! kubectl 1.33 as a client of the simulated API server: what it sends and what it prints.

pub mod printers;
