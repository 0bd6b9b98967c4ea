//! Account helpers every client of the program needs: the event authority, the remaining
//! accounts of a refresh, and associated token accounts.

use anchor_lang::prelude::AccountMeta;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;

/// The event-CPI authority PDA of the program.
pub fn event_authority() -> Pubkey {
    Pubkey::find_program_address(&[b"__event_authority"], &lending::ID).0
}

/// The obligation's reserves as read-only remaining accounts (deposits then borrows, in order).
pub fn reserve_metas(reserves: &[Pubkey]) -> impl Iterator<Item = AccountMeta> + '_ {
    reserves
        .iter()
        .map(|r| AccountMeta::new_readonly(*r, false))
}

/// The associated token account program.
pub const ATA_PROGRAM: Pubkey =
    anchor_lang::pubkey!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/// `CreateIdempotent` of `payer`'s associated token account for `mint`: a no-op when it exists.
pub fn create_associated_token_account(
    payer: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    create_associated_token_account_for(payer, payer, mint, token_program)
}

/// `CreateIdempotent` of `owner`'s associated token account for `mint`, paid by `payer`.
pub fn create_associated_token_account_for(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    Instruction {
        program_id: ATA_PROGRAM,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(associated_token_address(owner, mint, token_program), false),
            AccountMeta::new_readonly(*owner, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(anchor_lang::system_program::ID, false),
            AccountMeta::new_readonly(*token_program, false),
        ],
        // The instruction enum's `CreateIdempotent` variant.
        data: vec![1],
    }
}

/// The associated token account of `owner` for `mint` under `token_program`.
pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[owner.as_ref(), token_program.as_ref(), mint.as_ref()],
        &ATA_PROGRAM,
    )
    .0
}
