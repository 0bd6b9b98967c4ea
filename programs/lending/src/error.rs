//! The program's one error enum. Variants are append-only: a code, once shipped, never moves.

use anchor_lang::prelude::*;
use lending_math::MathError;

/// Errors of the Sentinel lending program.
#[error_code]
pub enum LendingError {
    /// A math operation overflowed its type.
    #[msg("Math overflow")]
    MathOverflow, // 6000
    /// A subtraction went below zero.
    #[msg("Math underflow")]
    MathUnderflow, // 6001
    /// A division by zero, e.g. valuing shares of an empty reserve.
    #[msg("Division by zero")]
    DivisionByZero, // 6002
    /// An amount of zero, or `u64::MAX` where it does not mean "all".
    #[msg("Amount must be greater than zero")]
    InvalidAmount, // 6003
    /// The signer is not the market admin.
    #[msg("Signer is not the market admin")]
    Unauthorized, // 6004
    /// An account belongs to another lending market.
    #[msg("Account belongs to another lending market")]
    InvalidMarket, // 6005
    /// The obligation is owned by someone else.
    #[msg("Obligation owner mismatch")]
    InvalidObligationOwner, // 6006
    /// The reserve passed is not the one the other accounts refer to.
    #[msg("Reserve mismatch")]
    InvalidReserve, // 6007
    /// The token vault is not the reserve's vault.
    #[msg("Vault is not the reserve's liquidity vault")]
    InvalidVault, // 6008
    /// The mint is not the reserve's mint.
    #[msg("Mint is not the reserve's mint")]
    InvalidMint, // 6009
    /// The token program is not the one the reserve was created with.
    #[msg("Token program mismatch")]
    InvalidTokenProgram, // 6010
    /// The oracle config is not the reserve's oracle config.
    #[msg("Oracle config mismatch")]
    InvalidOracleConfig, // 6011
    /// The price account is not the one pinned in the oracle config.
    #[msg("Price account is not the pinned oracle account")]
    InvalidOracleAccount, // 6012
    /// The price account is not owned by the expected oracle program.
    #[msg("Price account has the wrong owner")]
    InvalidOracleOwner, // 6013
    /// The price account's data cannot be decoded as the configured kind.
    #[msg("Price account data is invalid")]
    InvalidOracleData, // 6014
    /// The Pyth update's feed id differs from the pinned feed id.
    #[msg("Price feed id mismatch")]
    OracleFeedMismatch, // 6015
    /// The Pyth update was only partially verified.
    #[msg("Price update is not fully verified")]
    OracleNotFullyVerified, // 6016
    /// The legacy Pyth price is not in Trading status.
    #[msg("Price status is not Trading")]
    OraclePriceNotTrading, // 6017
    /// A price or EMA price that is zero or negative, or an absurd exponent.
    #[msg("Oracle price is not positive")]
    InvalidOraclePrice, // 6018
    /// The price is older than the configured maximum age.
    #[msg("Oracle price is stale")]
    StalePrice, // 6019
    /// The confidence interval is wider than the configured bound.
    #[msg("Oracle price confidence is too wide")]
    PriceTooUncertain, // 6020
    /// The publish time is older than one already used.
    #[msg("Oracle publish time went backwards")]
    OraclePublishTimeRegressed, // 6021
    /// The reserve was not refreshed in this slot.
    #[msg("Reserve must be refreshed in the current slot")]
    ReserveStale, // 6022
    /// The obligation was not refreshed in this slot.
    #[msg("Obligation must be refreshed in the current slot")]
    ObligationStale, // 6023
    /// `refresh_obligation` did not receive exactly the obligation's reserves, in order.
    #[msg("Refresh accounts do not match the obligation's reserves")]
    InvalidRefreshAccounts, // 6024
    /// The borrow would exceed the obligation's allowed borrow value.
    #[msg("Borrow exceeds the allowed borrow value")]
    BorrowTooLarge, // 6025
    /// The withdrawal would leave the obligation above its allowed borrow value.
    #[msg("Withdrawal would make the obligation unhealthy")]
    WithdrawTooLarge, // 6026
    /// The reserve's deposit cap would be exceeded.
    #[msg("Deposit cap exceeded")]
    DepositCapExceeded, // 6027
    /// The reserve's borrow cap would be exceeded.
    #[msg("Borrow cap exceeded")]
    BorrowCapExceeded, // 6028
    /// The reserve does not hold enough available liquidity.
    #[msg("Insufficient liquidity in the reserve")]
    InsufficientLiquidity, // 6029
    /// The obligation has no deposit in this reserve.
    #[msg("No deposit in this reserve")]
    DepositNotFound, // 6030
    /// The obligation has no borrow in this reserve.
    #[msg("No borrow in this reserve")]
    BorrowNotFound, // 6031
    /// The obligation already holds the maximum number of deposits.
    #[msg("Too many deposit positions")]
    TooManyDeposits, // 6032
    /// The obligation already holds the maximum number of borrows.
    #[msg("Too many borrow positions")]
    TooManyBorrows, // 6033
    /// The withdrawal is larger than the position.
    #[msg("Withdrawal exceeds the deposit")]
    WithdrawExceedsDeposit, // 6034
    /// Borrowing is paused for the market or reserve.
    #[msg("Borrowing is paused")]
    BorrowPaused, // 6035
    /// Withdrawals are paused for the market or reserve.
    #[msg("Withdrawals are paused")]
    WithdrawPaused, // 6036
    /// Spot and EMA prices diverge past the configured bound; risk-increasing actions are off.
    #[msg("Spot and EMA prices diverge too much")]
    PriceDivergenceTooHigh, // 6037
    /// LTV must be below the liquidation threshold.
    #[msg("Loan-to-value must be below the liquidation threshold")]
    InvalidLtv, // 6038
    /// threshold × (1 + max bonus) must stay below 100%, and min bonus ≤ max bonus.
    #[msg("Liquidation threshold with bonus reaches 100%")]
    InvalidLiquidationBonus, // 6039
    /// Borrow factor below 100% or absurdly high.
    #[msg("Invalid borrow factor")]
    InvalidBorrowFactor, // 6040
    /// Reserve factor or protocol liquidation fee above 100%.
    #[msg("Invalid fee setting")]
    InvalidFee, // 6041
    /// The borrow-rate curve is not monotone, or does not span 0%..100%.
    #[msg("Invalid borrow rate curve")]
    InvalidRateCurve, // 6042
    /// Oracle config bounds out of range (max age, confidence, divergence).
    #[msg("Invalid oracle config")]
    InvalidOracleConfigParams, // 6043
    /// Market parameters out of range (close factor, insolvency LTV, auction).
    #[msg("Invalid market config")]
    InvalidMarketConfig, // 6044
    /// The seed deposit at reserve creation is below the minimum.
    #[msg("Seed deposit too small")]
    SeedDepositTooSmall, // 6045
    /// The mint uses a Token-2022 extension the program does not support.
    #[msg("Unsupported token extension")]
    UnsupportedTokenExtension, // 6046
    /// The vault balance does not match the reserve's accounting after a transfer.
    #[msg("Vault balance does not match the reserve accounting")]
    VaultBalanceMismatch, // 6047
    /// The amount is too small to mint a share or move a unit.
    #[msg("Amount too small")]
    AmountTooSmall, // 6048
    /// A reserve is listed twice in an obligation or an instruction.
    #[msg("Duplicate reserve")]
    DuplicateReserve, // 6049
    /// The obligation is healthy: its adjusted debt does not exceed its unhealthy borrow value.
    #[msg("Obligation is healthy")]
    ObligationHealthy, // 6050
    /// No longer returned: a liquidation asking for more than the close factor and the
    /// collateral allow repays the limit. The number stays reserved.
    #[msg("Repayment exceeds the liquidation limit")]
    LiquidationTooLarge, // 6051
    /// A borrow below the dust threshold must be repaid in full.
    #[msg("Dust borrow must be repaid in full")]
    DustNotFullyRepaid, // 6052
    /// Nothing may be repaid: zero requested, or the close factor is used up in this slot.
    #[msg("Nothing to repay")]
    NothingToRepay, // 6053
    /// The repayment is too small to seize any collateral.
    #[msg("Repayment too small to seize collateral")]
    LiquidationTooSmall, // 6054
    /// The liquidator would receive less collateral than `min_collateral_out`.
    #[msg("Collateral received below the minimum")]
    LiquidationSlippage, // 6055
    /// An obligation may not deposit and borrow the same reserve (it could not be liquidated).
    #[msg("Cannot deposit and borrow the same reserve")]
    SameReserveDepositAndBorrow, // 6056
    /// Bad debt can only be written off when the obligation has no collateral left.
    #[msg("Obligation still has collateral")]
    ObligationHasCollateral, // 6057
    /// A liquidation must strictly raise a solvent obligation's health factor (checked on a
    /// recomputation after it).
    #[msg("Liquidation would not raise the obligation's health factor")]
    LiquidationWorsensHealth, // 6058
    /// No bonus lets this (debt, collateral) pair raise the health factor: repay a debt with a
    /// higher borrow factor or seize a collateral with a lower liquidation threshold.
    #[msg("This debt and collateral pair cannot improve the obligation's health")]
    LiquidationPairWorsensHealth, // 6059
    /// The obligation that receives seized collateral as shares must be the liquidator's own,
    /// in the same market, and not the one being liquidated.
    #[msg("Invalid liquidator obligation")]
    InvalidLiquidatorObligation, // 6060
    /// `report_oracle_failure` found the oracle valid: refresh the reserve instead.
    #[msg("The oracle gives a valid price")]
    OracleNotFailing, // 6061
    /// The close factor must be within 5%..=100%.
    #[msg("Close factor out of bounds")]
    InvalidCloseFactor, // 6062
    /// The insolvency LTV must be within 80%..=100%.
    #[msg("Insolvency LTV out of bounds")]
    InvalidInsolvencyLtv, // 6063
    /// The liquidation auction must last 10 s..=1 day.
    #[msg("Liquidation auction duration out of bounds")]
    InvalidAuctionDuration, // 6064
    /// The dust threshold may not exceed 1,000 quote units.
    #[msg("Dust threshold out of bounds")]
    InvalidDustThreshold, // 6065
    /// Only the proposed admin may accept the market.
    #[msg("Signer is not the proposed admin")]
    NotPendingAdmin, // 6066
    /// An obligation can be closed only without deposits or borrows.
    #[msg("Obligation still has positions")]
    ObligationNotEmpty, // 6067
    /// A mint with a freeze authority is listed only when the admin allows it explicitly.
    #[msg("Mint has a freeze authority")]
    FreezeAuthorityNotAllowed, // 6068
    /// The reserve's supply assets are zero while shares are outstanding (a write-off took
    /// everything): deposits would be priced at nothing.
    #[msg("Reserve has no assets left behind its shares")]
    ReserveAssetsDepleted, // 6069
    /// A reserve's price source can change only while no user holds a position in it.
    #[msg("Oracle source is locked while the reserve is in use")]
    OracleSourceLocked, // 6070
    /// `withdraw_insurance` pays out only what is above the reserve's insurance floor.
    #[msg("Withdrawal would take the insurance fund below its floor")]
    InsuranceFloorReached, // 6071
    /// Listing (or repointing an unused reserve's oracle) refuses a mint whose base unit is worth
    /// more than `MAX_LISTING_UNIT_VALUE_BPS` at its oracle price: a liquidation's rounding by one
    /// unit would cost more than its bonus.
    #[msg("One base unit of this mint is worth more than the listing bound")]
    UnitValueTooHigh, // 6072
    /// The price is dated more than `MAX_FUTURE_PUBLISH_SECS` ahead of the cluster clock.
    #[msg("Oracle publish time is too far in the future")]
    PublishTimeInFuture, // 6073
    /// A liquidation that takes an obligation's last collateral writes off its other debts in
    /// the same instruction: their reserves must be passed as writable remaining accounts.
    #[msg("The reserve of a debt to write off was not passed writable")]
    WriteOffReserveNotWritable, // 6074
    /// The target health factor must be 0 (off) or within
    /// `MIN_TARGET_HEALTH_BPS..=MAX_TARGET_HEALTH_BPS`.
    #[msg("Target health factor out of range")]
    InvalidTargetHealth, // 6075
    /// The withdrawal or borrow would take the reserve's net outflow in its window past the
    /// outflow cap (`Reserve.outflow`; `lending_math::outflow`). Liquidations, deposits and
    /// repayments are never refused for it.
    #[msg("Reserve outflow limit exceeded for this window")]
    OutflowLimitExceeded, // 6076
    /// An outflow limit must be `0, 0` (off), or a cap in `1..=MAX_OUTFLOW_CAP` with a window
    /// in `MIN_OUTFLOW_WINDOW_SECS..=MAX_OUTFLOW_WINDOW_SECS`.
    #[msg("Invalid outflow limit")]
    InvalidOutflowLimit, // 6077
    /// The reserve does not lend flash loans (every reserve listed before flash loans, until
    /// the admin enables them with `set_flash_loan_config`).
    #[msg("Flash loans are disabled on this reserve")]
    FlashLoansDisabled, // 6078
    /// `flash_borrow` and `flash_repay` must be instructions of the transaction itself, not
    /// calls from another program (whose checks the instructions sysvar cannot see).
    #[msg("Flash loan instructions cannot be called through CPI")]
    FlashLoanCpi, // 6079
    /// No later instruction of the transaction is a `flash_repay` naming this `flash_borrow`.
    #[msg("Flash borrow has no matching repay later in the transaction")]
    FlashRepayMissing, // 6080
    /// Another `flash_borrow` comes before this loan's repayment: loans do not nest.
    #[msg("Flash loans cannot be nested")]
    FlashBorrowNested, // 6081
    /// The repayment that names this borrow is for another reserve.
    #[msg("Flash repay is for another reserve")]
    FlashRepayWrongReserve, // 6082
    /// The repayment that names this borrow is for another amount.
    #[msg("Flash repay amount differs from the amount borrowed")]
    FlashRepayAmountMismatch, // 6083
    /// The instruction a `flash_repay` names is not an earlier `flash_borrow` of the same
    /// reserve and amount.
    #[msg("Flash repay does not name a matching earlier flash borrow")]
    FlashRepayInvalidBorrow, // 6084
    /// The reserve has no flash loan of this amount out (already repaid).
    #[msg("No flash loan of this amount is outstanding")]
    FlashLoanNotOutstanding, // 6085
    /// A flash-loan fee must be at most `MAX_FLASH_LOAN_FEE_BPS`.
    #[msg("Flash loan fee out of range")]
    InvalidFlashLoanFee, // 6086
    /// The account passed as the instructions sysvar is not it.
    #[msg("Not the instructions sysvar")]
    InvalidInstructionsSysvar, // 6087
    /// A liquidation paid in supply shares would send its protocol fee past the insurance fund
    /// only because the collateral reserve's liquidity is out in a flash loan (the fee fits the
    /// pool, not the vault's free tokens): refused, so a loan never moves where a fee goes.
    #[msg("The collateral's liquidity is out in a flash loan: its protocol fee cannot reach insurance")]
    LiquidationFeeInFlashLoan, // 6088
    /// The e-mode group id is 0 where a group is required, past the 16 groups, or names a
    /// group the admin has not configured (`set_emode_group`).
    #[msg("E-mode group not configured")]
    EmodeGroupNotConfigured, // 6089
    /// An obligation in an e-mode group may deposit, borrow, receive seized collateral or keep
    /// positions (when changing group) only in member reserves of that group.
    #[msg("Reserve is not a member of the obligation's e-mode group")]
    EmodeReserveNotInGroup, // 6090
    /// An e-mode group needs `0 ≤ LTV < liquidation threshold ≤ 98%`, the threshold below the
    /// market's insolvency LTV.
    #[msg("Invalid e-mode group LTV or liquidation threshold")]
    InvalidEmodeGroupLtv, // 6091
    /// An e-mode group needs `min bonus ≤ max bonus` and `threshold × (1 + max bonus) < 100%`.
    #[msg("Invalid e-mode group liquidation bonus")]
    InvalidEmodeGroupBonus, // 6092
    /// A reserve's e-mode membership mask may name only configured groups (bits 0..16).
    #[msg("Invalid e-mode membership")]
    InvalidEmodeMembership, // 6093
    /// Joining, leaving or changing an e-mode group needs the obligation within its borrow
    /// limit under the new parameters (`BFDV⁺ ≤ ABV`), valued from reserves priced in this slot.
    #[msg("Obligation would exceed its borrow limit under the new e-mode parameters")]
    EmodeChangeUnhealthy, // 6094
    /// A volatility configuration must be all zero (off), or have a half-life in
    /// `1..=30 days`, calm < stress ≤ 1,000%, `LTV floor ≤ LTV`, `LTV floor < threshold floor ≤
    /// threshold`, a cap floor and tightening rate of at most 10,000 bps, and a minimum-bonus
    /// ceiling at most the maximum bonus.
    #[msg("Invalid volatility configuration")]
    InvalidVolatilityConfig, // 6095
}

impl From<lending_math::liquidation::LiquidationError> for LendingError {
    fn from(e: lending_math::liquidation::LiquidationError) -> Self {
        use lending_math::liquidation::LiquidationError as L;
        match e {
            L::Healthy => LendingError::ObligationHealthy,
            L::DustNotFullyRepaid => LendingError::DustNotFullyRepaid,
            L::NothingToRepay => LendingError::NothingToRepay,
            L::NothingToSeize => LendingError::LiquidationTooSmall,
            L::PairWorsensHealth => LendingError::LiquidationPairWorsensHealth,
            L::Math(m) => LendingError::from(m),
        }
    }
}

impl From<MathError> for LendingError {
    fn from(e: MathError) -> Self {
        match e {
            MathError::Overflow => LendingError::MathOverflow,
            MathError::Underflow => LendingError::MathUnderflow,
            MathError::DivisionByZero => LendingError::DivisionByZero,
            MathError::InvalidInput => LendingError::InvalidOraclePrice,
        }
    }
}

/// Converts a math result into a program result with the matching `LendingError`.
pub trait MathResultExt<T> {
    /// Maps the math error.
    fn map_math(self) -> Result<T>;
}

impl<T> MathResultExt<T> for core::result::Result<T, MathError> {
    #[track_caller]
    fn map_math(self) -> Result<T> {
        self.map_err(|e| {
            let code = LendingError::from(e);
            msg!("math error {:?} at {}", e, core::panic::Location::caller());
            error!(code)
        })
    }
}
