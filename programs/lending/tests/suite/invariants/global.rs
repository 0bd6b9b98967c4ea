//! The checks on the whole market after every action: INV-01 (vaults), INV-02 (tokens
//! conserved), INV-04 (share value), INV-05 (supply assets), INV-07 (borrow index) and INV-11
//! (debts sum to the reserve's total).

use lending_math::Decimal;

use super::Fuzz;

impl Fuzz {
    pub(super) async fn check_global(&mut self, socialized: bool) {
        let reserves = self.reserves_now().await;
        let mut obligations = Vec::new();
        for u in 0..self.users.len() {
            obligations.push(self.f.obligation(&self.users[u].obligation.clone()).await);
        }
        for (i, r) in reserves.iter().enumerate() {
            let vault = self.f.balance(&self.f.reserves[i].vault.clone()).await;
            if vault != r.available_amount + r.insurance_amount {
                self.violation(format!(
                    "INV-01 reserve {i}: vault {vault} ≠ {} + {}",
                    r.available_amount, r.insurance_amount
                ));
            }
            if r.flash_loan_amount != 0 {
                self.violation(format!("INV-23 reserve {i}: a flash loan outstanding"));
            }
            if r.total_supply_assets().is_err() {
                self.violation(format!(
                    "INV-05 reserve {i}: fees exceed liquidity and debt"
                ));
            }
            let mut sum = Decimal::zero();
            for o in &obligations {
                for b in o
                    .active_borrows()
                    .filter(|b| b.reserve == self.f.reserves[i].reserve)
                {
                    sum = sum.try_add(b.normalized_debt_sf.get()).unwrap_or_default();
                }
            }
            if sum != r.total_normalized_debt_sf.get() {
                self.violation(format!(
                    "INV-11 reserve {i}: obligations {sum} ≠ reserve {}",
                    r.total_normalized_debt_sf.get()
                ));
            }
        }
        let values = Self::share_values(&reserves);
        for (i, (before, after)) in self.share_values.iter().zip(&values).enumerate() {
            if after < before && !socialized {
                let msg = format!("INV-04 reserve {i}: share value fell {before} → {after}");
                self.violations
                    .push(format!("seed {} action {}: {msg}", self.seed, self.actions));
            }
        }
        self.share_values = values;
        let indexes = Self::indexes(&reserves);
        for (i, (before, after)) in self.indexes.iter().zip(&indexes).enumerate() {
            if after < before {
                let msg = format!("INV-07 reserve {i}: borrow index fell");
                self.violations
                    .push(format!("seed {} action {}: {msg}", self.seed, self.actions));
            }
        }
        self.indexes = indexes;
        let totals = self.token_totals_now().await;
        if totals != self.token_totals {
            self.violation(format!(
                "INV-02 tokens not conserved: {:?} → {totals:?}",
                self.token_totals
            ));
        }
        self.token_totals = totals;
    }
}
