//! Builds the lending program's Anchor IDL natively with `anchor-lang-idl`'s `IdlBuilder`
//! (what `anchor idl build` runs) and writes `idl/lending.json`; `--check` fails when the
//! committed IDL differs from a fresh build.
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
    let path = root.join("idl/lending.json");
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != json {
            eprintln!(
                "idl-gen: {} is stale; run `cargo run -p idl-gen` and commit the result",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        println!("idl-gen: {} is up to date", path.display());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::write(&path, json) {
        eprintln!("idl-gen: writing {} failed: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("idl-gen: wrote {}", path.display());
    ExitCode::SUCCESS
}
