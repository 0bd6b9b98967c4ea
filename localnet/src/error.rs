//! JSON-RPC errors, with the codes a Solana validator uses for the same failures.

use serde_json::{json, Value};

/// Invalid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// Not a JSON-RPC 2.0 request object.
pub const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Wrong or missing parameters (also bad base58/base64 and oversized transactions).
pub const INVALID_PARAMS: i64 = -32602;
/// The node failed internally.
pub const INTERNAL_ERROR: i64 = -32603;
/// `sendTransaction` preflight simulation failed (the validator's code).
pub const SEND_TRANSACTION_PREFLIGHT_FAILURE: i64 = -32002;
/// A signature does not verify (the validator's code).
pub const TRANSACTION_SIGNATURE_VERIFICATION_FAILURE: i64 = -32003;
/// `getTransaction` of a v0 transaction without `maxSupportedTransactionVersion` (the
/// validator's code).
pub const UNSUPPORTED_TRANSACTION_VERSION: i64 = -32015;
/// A scan's results exceeded the node's limit (the validator's `ScanError` code).
pub const SCAN_ERROR: i64 = -32012;
/// A development method called from an origin not allowed to call it (this node's own code,
/// outside the validator's range).
pub const DEV_METHOD_FORBIDDEN: i64 = -32090;

/// One JSON-RPC error object.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    /// Error code.
    pub code: i64,
    /// Human-readable message.
    pub message: String,
    /// Optional structured data (simulation result for preflight failures).
    pub data: Option<Value>,
}

impl RpcError {
    /// An error without data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// `-32602` with a message.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        RpcError::new(INVALID_PARAMS, message)
    }

    /// `-32603` with a message.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        RpcError::new(INTERNAL_ERROR, format!("Internal error: {message}"))
    }

    /// The error object as JSON.
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            v["data"] = data.clone();
        }
        v
    }
}

impl From<solana_program_test::BanksClientError> for RpcError {
    fn from(e: solana_program_test::BanksClientError) -> Self {
        RpcError::internal(e)
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JSON-RPC error {}: {}", self.code, self.message)
    }
}

impl std::error::Error for RpcError {}

/// Result of one method call.
pub type RpcResult<T = Value> = Result<T, RpcError>;
