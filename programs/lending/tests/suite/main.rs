//! Integration suite of the lending program on solana-program-test (native processor, real
//! bank and SPL Token program). One binary, one module per area.

#[allow(dead_code)]
mod builders;
#[allow(dead_code)]
mod fixture;
#[allow(dead_code)]
mod pyth;

mod account_checks;
mod account_checks_more;
mod admin_actions;
mod bad_debt;
mod emode;
mod events;
mod exploits;
mod fees;
mod flash_loans;
mod governance;
mod health_improvement;
mod interest;
mod invariants;
mod limits;
mod liquidation;
mod liquidation_failures;
mod liquidity_denial;
mod listing;
mod micro_positions;
mod oracle;
mod oracle_failure;
mod outflow;
mod refresh;
mod review_emode;
mod review_flash_outflow;
mod review_volatility;
mod sizes;
mod stale_state;
mod target_health;
mod token2022;
mod user_actions;
mod user_failures;
mod volatility;
