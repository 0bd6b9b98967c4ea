//! Liquidations funded by a flash loan of the debt asset (`KeeperConfig::flash_loans`).
//!
//! The transaction: refreshes, `flash_borrow(repay)` of the debt reserve into the liquidator's
//! debt-token account, `liquidate` (which spends those tokens), the write-offs, then
//! `flash_repay(repay)`, which takes the amount plus the fee back from the same account. The
//! program requires the repayment in the same transaction, so a liquidation that fails
//! anywhere leaves no loan behind.
//!
//! Where the repayment comes from ([`RepaySource`]):
//! - [`RepaySource::Balance`] (implemented): the liquidator's own balance of the debt asset,
//!   which must hold `repay + fee` when the transaction runs. The planner sizes liquidations to
//!   what that balance can repay with the fee ([`spendable`]).
//! - A swap of the seized collateral into the debt asset, between `liquidate` and
//!   `flash_repay`, is the extension point: an operator-supplied instruction builder (a DEX
//!   route from the collateral mint to the debt mint, with its minimum out) inserted at
//!   [`SWAP_SLOT`], after which only the fee (and the swap's shortfall) needs to be held. It is
//!   not built here: the embedded chain runs no DEX program to test it against.

use std::collections::BTreeMap;

use lending::state::Reserve;
use lending_math::flash;
use solana_sdk::pubkey::Pubkey;

use crate::market::MarketSnapshot;

/// Instructions a keeper transaction carries before its own (the compute-unit limit and
/// price): the flash borrow's index in the transaction is this plus its position.
pub const BUDGET_IXS: u16 = 2;

/// Where the operator's swap would go in a flash liquidation: right after `liquidate` and its
/// write-offs, before `flash_repay`.
pub const SWAP_SLOT: &str = "after liquidate and the write-offs, before flash_repay";

/// How a flash loan is paid back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RepaySource {
    /// From the liquidator's balance of the debt asset.
    #[default]
    Balance,
}

/// The fee of a flash loan of `amount` from `reserve`, when the reserve lends one that large
/// (enabled, with the liquidity).
pub fn loan_fee(reserve: &Reserve, amount: u64) -> Option<u64> {
    if reserve.flash_loans_enabled != 1 || amount == 0 || amount > reserve.available_amount {
        return None;
    }
    flash::fee(amount, reserve.flash_loan_fee_bps).ok()
}

/// The largest loan `x` with `x + fee(x) ≤ balance` at `fee_bps`.
pub fn largest_loan(balance: u64, fee_bps: u16) -> u64 {
    let scale = 10_000u128;
    let mut x = (u128::from(balance) * scale / (scale + u128::from(fee_bps))) as u64;
    // The fee rounds up: step down until the loan and its fee fit (at most a unit or two).
    while x > 0 && flash::fee(x, fee_bps).map_or(true, |f| x.saturating_add(f) > balance) {
        x -= 1;
    }
    x
}

/// Balances per mint as the planner should spend them: for a mint whose reserve lends flash
/// loans, what a loan repaid from the balance with its fee can repay.
pub fn spendable(snap: &MarketSnapshot, balances: &BTreeMap<Pubkey, u64>) -> BTreeMap<Pubkey, u64> {
    let mut out = balances.clone();
    for v in snap.reserves.values() {
        let r = &v.reserve;
        if r.flash_loans_enabled == 1 {
            if let Some(b) = out.get_mut(&r.mint) {
                *b = largest_loan(*b, r.flash_loan_fee_bps);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successful_largest_loan_leaves_room_for_its_fee() {
        for (balance, bps) in [(1_003_000, 30), (1_000_000, 0), (10, 1_000), (1, 1), (0, 9)] {
            let x = largest_loan(balance, bps);
            let fee = flash::fee(x, bps).unwrap();
            assert!(x + fee <= balance, "{balance} at {bps}");
            let more = flash::fee(x + 1, bps).unwrap();
            assert!(
                x + 1 + more > balance,
                "{balance} at {bps}: not the largest"
            );
        }
        assert_eq!(largest_loan(1_003_000, 30), 1_000_000);
    }

    #[test]
    fn fail_loan_fee_when_disabled_or_past_the_liquidity() {
        let mut r: Reserve = bytemuck::Zeroable::zeroed();
        r.available_amount = 1_000;
        r.flash_loan_fee_bps = 30;
        assert_eq!(loan_fee(&r, 500), None, "disabled");
        r.flash_loans_enabled = 1;
        assert_eq!(loan_fee(&r, 500), Some(2));
        assert_eq!(loan_fee(&r, 1_001), None, "past the liquidity");
        assert_eq!(loan_fee(&r, 0), None);
    }
}
