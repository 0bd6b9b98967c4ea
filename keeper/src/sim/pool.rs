//! Price impact: each collateral asset trades in a constant-product pool, liquidators sell
//! into it a share of what they seize, and the oracle follows the pool.
//!
//! A pool of depth `D` (quote units on each side at the reference price `p`) holds
//! `x = D / p` tokens and `y = D` quote units, `x × y = k`. Selling `S` quote units' worth of
//! tokens at `p` gives `x' = x + S / p`, and the price becomes `p' = y' / x' = k / x'² =
//! p × (D / (D + S))²`. Between steps arbitrageurs close a share of the gap to the outside
//! market (the scenario's price): the impact `m = p_pool / p_outside` moves to
//! `m + (1 − m) × r`.

/// Pool settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolSpec {
    /// Quote units on each side of each collateral's pool, at the starting price.
    pub depth: f64,
    /// Share of the seized collateral that liquidators sell at once (0–1).
    pub sell_share: f64,
    /// Share of the pool's gap to the outside price that arbitrage closes each step (0–1).
    pub recovery: f64,
}

/// The pools of the market's assets: the impact of each on its price.
#[derive(Clone, Debug)]
pub struct Pools {
    spec: PoolSpec,
    /// `p_pool / p_outside` per asset (1 for assets without a pool).
    impact: Vec<f64>,
    /// Which assets trade in a pool (collateral assets).
    pooled: Vec<bool>,
}

impl Pools {
    /// Pools for the assets marked `pooled`, no impact yet.
    pub fn new(spec: PoolSpec, pooled: Vec<bool>) -> Self {
        Pools {
            spec,
            impact: vec![1.0; pooled.len()],
            pooled,
        }
    }

    /// Liquidators sold `seized` quote units' worth of asset `i` (at its current price).
    pub fn sell(&mut self, i: usize, seized: f64) {
        if !self.pooled[i] || seized <= 0.0 {
            return;
        }
        let s = seized * self.spec.sell_share;
        let d = self.spec.depth * self.impact[i].sqrt();
        self.impact[i] *= (d / (d + s)).powi(2);
    }

    /// Arbitrage between steps.
    pub fn recover(&mut self) {
        let r = self.spec.recovery.clamp(0.0, 1.0);
        for m in &mut self.impact {
            *m += (1.0 - *m) * r;
        }
    }

    /// The pool price of asset `i` when the outside market is at `outside`.
    pub fn price(&self, i: usize, outside: f64) -> f64 {
        outside * self.impact[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successful_sale_moves_the_price_as_a_constant_product_pool() {
        let mut p = Pools::new(
            PoolSpec {
                depth: 1_000_000.0,
                sell_share: 1.0,
                recovery: 0.5,
            },
            vec![true, false],
        );
        // Selling $1M into $1M of depth halves the pool's tokens' worth twice over: a quarter.
        p.sell(0, 1_000_000.0);
        assert!((p.price(0, 100.0) - 25.0).abs() < 1e-9);
        p.sell(1, 1_000_000.0);
        assert_eq!(p.price(1, 100.0), 100.0, "no pool, no impact");
        // Two sales equal one of the sum (path independence of x·y = k).
        let mut q = Pools::new(
            PoolSpec {
                depth: 1_000_000.0,
                sell_share: 1.0,
                recovery: 0.0,
            },
            vec![true],
        );
        q.sell(0, 400_000.0);
        q.sell(0, 600_000.0 * q.price(0, 1.0));
        assert!(
            (q.price(0, 100.0) - 25.0).abs() < 1e-6,
            "{}",
            q.price(0, 100.0)
        );
        p.recover();
        assert!((p.price(0, 100.0) - 62.5).abs() < 1e-9);
    }
}
