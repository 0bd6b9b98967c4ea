//! Flash-loan instruction builders and figures for the suite.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::state::Reserve;
use lending_math::{shares, Decimal};
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::fixture::*;

/// Index of the first instruction a test passes to `TestFixture::send` (the fixture puts two
/// compute-budget instructions first).
pub const FIRST: u16 = 2;

/// The instructions sysvar.
pub const INSTRUCTIONS_SYSVAR: Pubkey = solana_instructions_sysvar::ID;

impl TestFixture {
    /// `flash_borrow` of `amount` from reserve `idx` to `destination`, signed by `borrower`.
    pub fn flash_borrow_ix(
        &self,
        borrower: &Pubkey,
        destination: &Pubkey,
        idx: usize,
        amount: u64,
    ) -> Instruction {
        let r = &self.reserves[idx];
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::FlashBorrow {
                borrower: *borrower,
                lending_market: self.market,
                reserve: r.reserve,
                vault: r.vault,
                mint: r.mint,
                destination: *destination,
                token_program: r.token_program,
                instructions: INSTRUCTIONS_SYSVAR,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::FlashBorrow { amount }.data(),
        }
    }

    /// `flash_repay` of `amount` into reserve `idx` from `source`, naming the borrow at
    /// `borrow_instruction_index`.
    pub fn flash_repay_ix(
        &self,
        payer: &Pubkey,
        source: &Pubkey,
        idx: usize,
        amount: u64,
        borrow_instruction_index: u16,
    ) -> Instruction {
        let r = &self.reserves[idx];
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::FlashRepay {
                payer: *payer,
                lending_market: self.market,
                reserve: r.reserve,
                vault: r.vault,
                mint: r.mint,
                source: *source,
                token_program: r.token_program,
                instructions: INSTRUCTIONS_SYSVAR,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::FlashRepay {
                amount,
                borrow_instruction_index,
            }
            .data(),
        }
    }

    /// `set_flash_loan_config` of reserve `idx` signed by `admin`.
    pub fn set_flash_loan_config_ix(
        &self,
        admin: &Pubkey,
        idx: usize,
        enabled: bool,
        fee_bps: u16,
    ) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::SetFlashLoanConfig {
                admin: *admin,
                lending_market: self.market,
                reserve: self.reserves[idx].reserve,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::SetFlashLoanConfig { enabled, fee_bps }.data(),
        }
    }

    /// Enables flash loans on reserve `idx` at `fee_bps` (as the admin).
    pub async fn enable_flash_loans(&mut self, idx: usize, fee_bps: u16) {
        let admin = self.admin.insecure_clone();
        let ix = self.set_flash_loan_config_ix(&admin.pubkey(), idx, true, fee_bps);
        self.send(&[ix], &[&admin])
            .await
            .expect("set_flash_loan_config");
    }

    /// A borrow of `amount` from `idx` and its repayment by `user` (from and to their token
    /// account), the borrow at `FIRST + offset`, with `middle` between the two.
    pub fn flash_loan_ixs(
        &self,
        user: &Keypair,
        token: &Pubkey,
        idx: usize,
        amount: u64,
        middle: Vec<Instruction>,
    ) -> Vec<Instruction> {
        let mut ixs = vec![self.flash_borrow_ix(&user.pubkey(), token, idx, amount)];
        ixs.extend(middle);
        ixs.push(self.flash_repay_ix(&user.pubkey(), token, idx, amount, FIRST));
        ixs
    }
}

/// Share value `A / S` of a reserve.
pub fn share_value(r: &Reserve) -> Decimal {
    shares::share_value(r.total_supply_assets().expect("assets"), r.share_supply).expect("value")
}
