//! INV-14: the errors each kind of action may fail with. Every failure must be one of the
//! named errors of its class; a math error, a panic or an error of another class is a
//! violation.

use lending::error::LendingError as E;

/// SPL Token's `InsufficientFunds`: a payer without the tokens (deposit, repay, liquidate).
const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;

/// Errors of a price that cannot be used (a refresh, or an action on a stale reserve).
const PRICE: [E; 6] = [
    E::StalePrice,
    E::PriceTooUncertain,
    E::OraclePublishTimeRegressed,
    E::ReserveStale,
    E::ObligationStale,
    E::PriceDivergenceTooHigh,
];

/// The named errors `kind` may fail with.
pub(super) fn allowed(kind: &str) -> Vec<u32> {
    let named: Vec<E> = match kind {
        "deposit" => vec![
            E::InvalidAmount,
            E::AmountTooSmall,
            E::DepositCapExceeded,
            E::SameReserveDepositAndBorrow,
            E::TooManyDeposits,
            E::ReserveAssetsDepleted,
            E::EmodeReserveNotInGroup,
        ],
        "withdraw" => [
            E::InvalidAmount,
            E::AmountTooSmall,
            E::DepositNotFound,
            E::WithdrawExceedsDeposit,
            E::WithdrawTooLarge,
            E::InsufficientLiquidity,
            E::WithdrawPaused,
            E::ReserveAssetsDepleted,
            E::OutflowLimitExceeded,
        ]
        .into_iter()
        .chain(PRICE)
        .collect(),
        "borrow" => [
            E::InvalidAmount,
            E::SameReserveDepositAndBorrow,
            E::InsufficientLiquidity,
            E::BorrowCapExceeded,
            E::BorrowTooLarge,
            E::TooManyBorrows,
            E::BorrowPaused,
            E::OutflowLimitExceeded,
            E::EmodeReserveNotInGroup,
        ]
        .into_iter()
        .chain(PRICE)
        .collect(),
        "repay" => vec![E::InvalidAmount, E::BorrowNotFound, E::AmountTooSmall],
        "liquidate" => [
            E::ObligationHealthy,
            E::BorrowNotFound,
            E::DepositNotFound,
            E::NothingToRepay,
            E::LiquidationTooSmall,
            E::DustNotFullyRepaid,
            E::LiquidationWorsensHealth,
            E::LiquidationPairWorsensHealth,
            E::InsufficientLiquidity,
            E::InvalidAmount,
            E::EmodeReserveNotInGroup,
        ]
        .into_iter()
        .chain(PRICE)
        .collect(),
        // A group change refused for a position outside the group or the borrow limit
        // under the new parameters (`invariants/emode.rs` checks which).
        "group" => [
            E::EmodeReserveNotInGroup,
            E::EmodeChangeUnhealthy,
            E::EmodeGroupNotConfigured,
        ]
        .into_iter()
        .chain(PRICE)
        .collect(),
        "socialize" => vec![E::ObligationHasCollateral, E::BorrowNotFound],
        "bundle" => {
            // Refreshes, then two of deposit, borrow, withdraw and repay. A failure report of
            // a feed that publishes again (a same-slot reprice revived it) is refused.
            let mut all = vec![E::OracleNotFailing.into()];
            for class in ["deposit", "borrow", "withdraw", "repay"] {
                all.extend(allowed(class));
            }
            all.sort_unstable();
            all.dedup();
            return all;
        }
        "flash" => {
            // A loan (disabled, paused, too large for the liquidity, zero) and what runs inside
            // it: a deposit, refreshes and a withdrawal.
            let mut all: Vec<u32> = [
                E::FlashLoansDisabled,
                E::BorrowPaused,
                E::InsufficientLiquidity,
                E::InvalidAmount,
                E::OracleNotFailing,
            ]
            .into_iter()
            .map(u32::from)
            .collect();
            for class in ["deposit", "withdraw"] {
                all.extend(allowed(class));
            }
            all.sort_unstable();
            all.dedup();
            return all;
        }
        "flash-attack" => vec![
            E::FlashRepayMissing,
            E::FlashRepayAmountMismatch,
            E::FlashBorrowNested,
        ],
        "config" => vec![E::Unauthorized],
        // The admin move's changes are valid, except an insolvency LTV at or below a
        // configured e-mode group's threshold (`invariants/moves.rs` checks which).
        "admin" => vec![E::InvalidInsolvencyLtv],
        "reprice" => PRICE.to_vec(),
        _ => Vec::new(),
    };
    let mut codes: Vec<u32> = named.into_iter().map(u32::from).collect();
    if matches!(kind, "deposit" | "repay" | "liquidate") {
        codes.push(TOKEN_INSUFFICIENT_FUNDS);
    }
    codes
}
