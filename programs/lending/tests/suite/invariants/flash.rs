//! The flash-loan move, and the two properties it checks:
//!
//! - INV-22 flash loans never lose depositors value: after a landed loan the reserve's share
//!   value is at least what it was (INV-04 checks it for every reserve, every action); a plain
//!   loan raises the supply total by exactly the depositors' part of the fee and the protocol's
//!   fees by exactly its part (after the interest accrued to now); a deposit made while the
//!   loan is out gets the shares of the pre-loan price;
//! - INV-23 flash loans never leave a reserve short: no loan is outstanding after any
//!   transaction (`flash_loan_amount` = 0, with INV-01's vault = available + insurance), and a
//!   plain loan leaves the reserve exactly `fee` richer in available liquidity; a malformed
//!   loan (repayment missing or smaller, two borrows) never lands, fails with its own error and
//!   changes nothing (INV-03).
//!
//! The move runs after the main action in one step in eight, drawn from its own stream of the
//! seed (`FLASH_STREAM`), so that the main actions' distribution is unchanged. Every reserve
//! lends flash loans at a fee drawn from the seed (0 to 1%).

use lending::error::LendingError as E;
use lending_math::{interest, shares};
use rand::Rng;
use solana_sdk::signature::Signer;

use super::replay::action_rng;
use super::Fuzz;
use crate::flash_loans::ix::FIRST;

/// Stream offset of the flash move's draws.
const FLASH_STREAM: u64 = 0xf1a5_0000_0000;

/// The shapes the move sends.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// Borrow, repay.
    Plain,
    /// Borrow, a deposit of the user's own tokens into the same reserve, repay.
    DepositMidLoan,
    /// Borrow, deposit the loan, withdraw it, repay (only for a user who holds a deposit of the
    /// reserve and at most three positions).
    RoundTrip,
    /// Borrow alone.
    MissingRepay,
    /// A repayment one unit short.
    SmallerRepay,
    /// Two borrows, one repayment.
    Nested,
}

impl Fuzz {
    /// Enables flash loans on every reserve at a fee drawn from the seed.
    pub(super) async fn enable_flash_loans(&mut self) {
        let mut rng = action_rng(self.seed ^ FLASH_STREAM, 0);
        for i in 0..self.f.reserves.len() {
            let fee = [0, 1, 9, 30, 100][rng.gen_range(0..5)];
            self.f.enable_flash_loans(i, fee).await;
        }
    }

    /// One step in eight: a flash loan of a random shape, size, user and reserve.
    pub(super) async fn maybe_flash(&mut self) {
        let mut rng = action_rng(self.seed ^ FLASH_STREAM, self.actions);
        if !rng.gen_bool(0.125) {
            return;
        }
        let u = rng.gen_range(0..self.users.len());
        let r = rng.gen_range(0..self.f.reserves.len());
        let before = self.f.reserve(r).await;
        let size = match rng.gen_range(0..5) {
            0 => before.available_amount,
            1 => 1,
            2 => before.available_amount.saturating_add(1),
            _ => {
                let pct = rng.gen_range(1..=100u64);
                (u128::from(before.available_amount) * u128::from(pct) / 100) as u64
            }
        };
        let key = self.users[u].obligation;
        let ob = self.f.obligation(&key).await;
        let mut shape = [
            Shape::Plain,
            Shape::Plain,
            Shape::DepositMidLoan,
            Shape::RoundTrip,
            Shape::MissingRepay,
            Shape::SmallerRepay,
            Shape::Nested,
        ][rng.gen_range(0..7)];
        let positions = ob.active_deposits().count() + ob.active_borrows().count();
        if matches!(shape, Shape::RoundTrip)
            && (ob.find_deposit(&self.f.reserves[r].reserve).is_none() || positions > 3)
        {
            shape = Shape::DepositMidLoan;
        }
        let size = match shape {
            Shape::MissingRepay | Shape::SmallerRepay | Shape::Nested => size.max(1),
            _ => size,
        };
        self.record(format!("flash {shape:?} of {size} from reserve {r}"));
        let kp = self.users[u].keypair.insecure_clone();
        let token = self.users[u].tokens[r];
        let (borrow, repay) = (
            self.f.flash_borrow_ix(&kp.pubkey(), &token, r, size),
            self.f.flash_repay_ix(&kp.pubkey(), &token, r, size, FIRST),
        );
        let own = self.f.balance(&token).await;
        let deposit = (u128::from(own) * u128::from(rng.gen_range(1..=50u64)) / 100) as u64;
        let (ixs, attack) = match shape {
            Shape::Plain => (vec![borrow, repay], None),
            Shape::DepositMidLoan => {
                let d = self.f.deposit_ix(&self.users[u], r, deposit.max(1));
                (vec![borrow, d, repay], None)
            }
            Shape::RoundTrip => {
                self.focus = Some(r);
                let mut ixs = vec![borrow];
                ixs.extend(self.refresh_ixs(&key).await);
                self.focus = None;
                ixs.push(self.f.deposit_ix(&self.users[u], r, size));
                ixs.push(self.f.withdraw_ix(&self.users[u], r, size).await);
                ixs.push(repay);
                (ixs, None)
            }
            Shape::MissingRepay => (vec![borrow], Some(E::FlashRepayMissing)),
            Shape::SmallerRepay => {
                let short =
                    self.f
                        .flash_repay_ix(&kp.pubkey(), &token, r, size.saturating_sub(1), FIRST);
                (vec![borrow, short], Some(E::FlashRepayAmountMismatch))
            }
            Shape::Nested => (
                vec![borrow.clone(), borrow, repay],
                Some(E::FlashBorrowNested),
            ),
        };
        let kind = if attack.is_some() {
            "flash-attack"
        } else {
            "flash"
        };
        let shares_before = self.shares_of(u, r).await;
        let fee = lending_math::flash::fee(size, before.flash_loan_fee_bps).unwrap_or(0);
        self.outflow.flash_fee = Some((r, fee));
        let res = self.send(kind, &ixs, &kp).await;
        self.outflow.flash_fee = None;
        if let Some(e) = attack {
            if crate::fixture::error_code(&res) != Some(e.into()) {
                self.violation(format!(
                    "INV-23 a malformed flash loan ({shape:?}) gave {res:?}, not {e:?}"
                ));
            }
            return;
        }
        if res.is_err() {
            return;
        }
        let after = self.f.reserve(r).await;
        if after.flash_loan_amount != 0 {
            self.violation(format!("INV-23 reserve {r}: a flash loan left outstanding"));
        }
        // The accrual the borrow ran first, from the state before.
        let now = self.f.now().await;
        let elapsed = now.saturating_sub(before.last_accrual_ts).max(0) as u64;
        let Ok(accrued) = interest::accrue(
            &before.accrual_state(),
            &before.config.curve(),
            before.config.reserve_factor(),
            elapsed,
        ) else {
            return;
        };
        let mut at_loan = before;
        let _ = at_loan.borrow_index_sf.set(accrued.borrow_index);
        let _ = at_loan.protocol_fees_sf.set(accrued.protocol_fees);
        let (Ok(assets), Ok(paid)) = (
            at_loan.total_supply_assets(),
            lending_math::flash::repayment(
                size,
                before.flash_loan_fee_bps,
                before.config.reserve_factor(),
            ),
        ) else {
            return;
        };
        match shape {
            Shape::Plain => {
                if after.available_amount != before.available_amount + paid.fee {
                    self.violation(format!(
                        "INV-23 reserve {r}: available {} after a loan, not {} + fee {}",
                        after.available_amount, before.available_amount, paid.fee
                    ));
                }
                let fees = accrued.protocol_fees.try_add(paid.protocol_fee).ok();
                let supply = assets.try_add(paid.depositors_fee).ok();
                if fees != Some(after.protocol_fees_sf.get())
                    || supply != after.total_supply_assets().ok()
                {
                    self.violation(format!(
                        "INV-22 reserve {r}: the fee {} was not split by the reserve factor",
                        paid.fee
                    ));
                }
            }
            Shape::DepositMidLoan => {
                let fair = shares::shares_for_deposit(deposit.max(1), assets, before.share_supply);
                let minted = self.shares_of(u, r).await - shares_before;
                if fair.ok() != Some(minted) {
                    self.violation(format!(
                        "INV-22 reserve {r}: a deposit mid-loan got {minted} shares, not {fair:?}"
                    ));
                }
            }
            _ => {}
        }
    }

    /// Supply shares user `u` holds in reserve `r`.
    async fn shares_of(&mut self, u: usize, r: usize) -> u64 {
        let key = self.users[u].obligation;
        let reserve = self.f.reserves[r].reserve;
        let ob = self.f.obligation(&key).await;
        ob.find_deposit(&reserve)
            .map_or(0, |i| ob.deposits[i].shares)
    }
}
