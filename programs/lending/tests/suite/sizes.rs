//! Account sizes, printed as a report and held to their targets.

use lending::state::{LendingMarket, Obligation, OracleConfig, Reserve};

/// Target for an obligation with 8 deposits and 5 borrows (klend needs 3,344 bytes for the same).
const OBLIGATION_TARGET: usize = 1_100;
const _: () = assert!(Obligation::SPACE <= OBLIGATION_TARGET);

#[test]
fn successful_account_sizes_within_targets() {
    let sizes = [
        ("LendingMarket", LendingMarket::SPACE),
        ("Reserve", Reserve::SPACE),
        ("OracleConfig", OracleConfig::SPACE),
        ("Obligation", Obligation::SPACE),
    ];
    for (name, size) in sizes {
        println!("{name}: {size} bytes");
    }
    assert_eq!(LendingMarket::SPACE, 360);
    assert_eq!(OracleConfig::SPACE, 192);
    assert_eq!(Obligation::SPACE, 1_072);
    assert_eq!(Reserve::SPACE, 696);
}
