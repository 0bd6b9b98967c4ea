//! Account sizes, printed as a report and held to their targets.

use lending::state::{LendingMarket, Obligation, OracleConfig, Reserve};

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
    assert!(
        Obligation::SPACE <= 1_100,
        "Obligation must stay within 1,100 bytes"
    );
    assert_eq!(Obligation::SPACE, 1_032);
    assert_eq!(Reserve::SPACE, 696);
}
