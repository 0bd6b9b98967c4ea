//! Builds the lending program's Anchor IDL natively with `anchor-lang-idl`'s `IdlBuilder`
//! (what `anchor idl build` runs) and writes `idl/lending.json` and its TypeScript type
//! `idl/lending.ts` (what `anchor idl build -t` writes); `--check` fails when either committed
//! file differs from a fresh build.
//!
//! Usage: `cargo run -p idl-gen [-- --check]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anchor_lang_idl::build::IdlBuilder;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/idl-gen sits two levels below the workspace root")
        .to_path_buf()
}

/// Clears what `cargo run` and rustup put in the environment and what would make the nested
/// cargo rebuild everything: `RUSTUP_TOOLCHAIN` makes the builder install a toolchain, the
/// `CARGO_PKG_*` / `CARGO_MANIFEST_*` variables invalidate build scripts that watch them, and
/// an empty `CARGO_ENCODED_RUSTFLAGS` overrides the builder's `RUSTFLAGS=-A warnings`.
fn clean_environment() {
    for (key, _) in std::env::vars() {
        if key == "RUSTUP_TOOLCHAIN"
            || key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
        {
            std::env::remove_var(&key);
        }
    }
    std::env::set_var("CARGO_ENCODED_RUSTFLAGS", "");
}

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = workspace_root();
    clean_environment();
    let idl = match IdlBuilder::new()
        .program_path(root.join("programs/lending"))
        .cargo_args(vec!["--lib".into()])
        .build()
    {
        Ok(idl) => idl,
        Err(e) => {
            eprintln!("idl-gen: building the IDL failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut json = match serde_json::to_string_pretty(&idl) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("idl-gen: serializing the IDL failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    json.push('\n');
    let ts = match serde_json::from_str(&json) {
        Ok(value) => ts_type(&value),
        Err(e) => {
            eprintln!("idl-gen: re-reading the IDL failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outputs = [
        (root.join("idl/lending.json"), json),
        (root.join("idl/lending.ts"), ts),
    ];
    for (path, text) in &outputs {
        if check {
            let committed = std::fs::read_to_string(path).unwrap_or_default();
            if committed != *text {
                eprintln!(
                    "idl-gen: {} is stale; run `cargo run -p idl-gen` and commit the result",
                    path.display()
                );
                return ExitCode::FAILURE;
            }
            println!("idl-gen: {} is up to date", path.display());
        } else if let Err(e) = std::fs::write(path, text) {
            eprintln!("idl-gen: writing {} failed: {e}", path.display());
            return ExitCode::FAILURE;
        } else {
            println!("idl-gen: wrote {}", path.display());
        }
    }
    ExitCode::SUCCESS
}

/// `lower_camel_case` of an IDL identifier, as the anchor CLI spells names in the TS type:
/// `init_market` → `initMarket`, `LendingMarket` → `lendingMarket`.
fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper_next = false;
    for (i, c) in name.chars().enumerate() {
        if c == '_' {
            upper_next = !out.is_empty();
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else if i == 0 || out.is_empty() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `s` is a base58 public key (32 bytes), which the CLI leaves alone.
fn is_pubkey(s: &str) -> bool {
    const ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    (32..=44).contains(&s.len()) && s.chars().all(|c| ALPHABET.contains(c))
}

fn camel_values(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (_, field) in map.iter_mut() {
                match field {
                    serde_json::Value::String(s) if is_identifier(s) && !is_pubkey(s) => {
                        *s = lower_camel(s);
                    }
                    other => camel_values(other),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(camel_values),
        _ => {}
    }
}

/// The TypeScript type of the IDL: the IDL with every identifier value in lowerCamelCase, as
/// `anchor idl build -t` writes it for `Program<Lending>`.
fn ts_type(idl: &serde_json::Value) -> String {
    let mut camel = idl.clone();
    camel_values(&mut camel);
    let body = serde_json::to_string_pretty(&camel).unwrap_or_default();
    format!(
        "/**\n * Program IDL in camelCase format in order to be used in JS/TS.\n *\n * Note that this is only a type helper and is not the actual IDL. The original\n * IDL can be found at `idl/lending.json`. Generated by `cargo run -p idl-gen`.\n */\nexport type Lending = {body};\n"
    )
}
