//! Sentinel's keeper: finds, ranks and liquidates unhealthy obligations, against a JSON-RPC
//! node or the embedded in-process chain, with the same round logic; and the crash simulator.

pub mod alerts;
pub mod backoff;
pub mod banks;
pub mod book;
pub mod chain;
pub mod events;
pub mod flash;
pub mod instructions;
pub mod keeper;
pub mod lookup;
pub mod market;
pub mod metrics;
pub mod planner;
pub mod rpc;
pub mod sim;
pub mod stream;
pub mod tables;
pub mod tracker;
