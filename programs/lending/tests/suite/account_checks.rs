//! The same account attacks against every user instruction: each mutation of a valid
//! instruction fails with its exact error and changes nothing.

use anchor_lang::error::ErrorCode;
use lending::error::LendingError;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

use crate::fixture::*;
use crate::liquidation::liquidate_ix;

/// An attack: its name, how it changes the instruction, and the exact error expected.
type Attack<'a> = (&'a str, Box<dyn Fn(&mut Instruction)>, u32);

/// True when `res` is the runtime's refusal of an `init` of an account that already exists
/// (the system program's create fails with `InvalidInstructionData` under program-test 3.1).
pub fn is_reinit_refusal(res: &Result<(), solana_program_test::BanksClientError>) -> bool {
    matches!(
        res,
        Err(solana_program_test::BanksClientError::TransactionError(
            solana_sdk::transaction::TransactionError::InstructionError(
                _,
                solana_sdk::instruction::InstructionError::InvalidInstructionData
            )
        ))
    )
}

/// SPL Token's `OwnerMismatch` (`TokenError` 4).
const SPL_TOKEN_OWNER_MISMATCH: u32 = 4;

/// Account positions that differ between instructions.
struct Layout {
    name: &'static str,
    obligation: usize,
    vault: usize,
    token_account: usize,
    token_program: usize,
}

const LAYOUTS: [Layout; 4] = [
    Layout {
        name: "withdraw",
        obligation: 2,
        vault: 4,
        token_account: 6,
        token_program: 7,
    },
    Layout {
        name: "borrow",
        obligation: 2,
        vault: 4,
        token_account: 6,
        token_program: 7,
    },
    Layout {
        name: "repay",
        obligation: 2,
        vault: 4,
        token_account: 6,
        token_program: 7,
    },
    Layout {
        name: "liquidate",
        obligation: 2,
        vault: 4,
        token_account: 9,
        token_program: 11,
    },
];

#[tokio::test]
async fn fail_every_user_instruction_on_each_account_attack() {
    let mut f = TestFixture::new().await;
    let (lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    let zeroed = Pubkey::new_unique();
    f.set_account(
        &zeroed,
        &crate::pyth::account(vec![0u8; lending::state::Obligation::SPACE], lending::ID),
    );
    let forged_obligation = f
        .clone_account_with_owner(&borrower.obligation, &Pubkey::new_unique())
        .await;
    // Reserves of the same mints listed in other markets.
    let (_, usdc_b, usdc_b_vault, _, _) = f.second_market(USDC).await;
    let (_, sol_b, sol_b_vault, _, _) = f.second_market(SOL).await;
    let keys = vec![
        borrower.obligation,
        f.reserves[USDC].reserve,
        f.reserves[SOL].reserve,
        f.reserves[USDC].vault,
        f.reserves[SOL].vault,
        usdc_b,
        sol_b,
        lender.tokens[USDC],
        borrower.tokens[USDC],
    ];
    let before = f.snapshot(&keys).await;
    let mut cases = 0;
    for layout in &LAYOUTS {
        let base: Instruction = match layout.name {
            "withdraw" => f.withdraw_ix(&borrower, SOL, 1_000).await,
            "borrow" => f.borrow_ix(&borrower, USDC, 1_000).await,
            "repay" => f.repay_ix(&borrower, USDC, 1_000),
            _ => liquidate_ix(&mut f, &lender, &borrower.obligation, USDC, SOL, 1_000, 0).await,
        };
        let signer = if layout.name == "liquidate" {
            lender.keypair.insecure_clone()
        } else {
            borrower.keypair.insecure_clone()
        };
        let other_vault = if layout.name == "withdraw" {
            f.reserves[USDC].vault
        } else {
            f.reserves[VOL].vault
        };
        let wrong_mint_account = if layout.name == "withdraw" {
            borrower.tokens[USDC]
        } else {
            borrower.tokens[VOL]
        };
        let foreign = if layout.name == "withdraw" {
            (sol_b, sol_b_vault)
        } else {
            (usdc_b, usdc_b_vault)
        };
        let mut attacks: Vec<Attack> = vec![
            (
                "missing signer",
                Box::new(|ix: &mut Instruction| ix.accounts[0].is_signer = false),
                ErrorCode::AccountNotSigner.into(),
            ),
            (
                "forged obligation",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[layout.obligation].pubkey = forged_obligation
                }),
                ErrorCode::AccountOwnedByWrongProgram.into(),
            ),
            (
                "reserve as obligation",
                {
                    let k = f.reserves[VOL].reserve;
                    Box::new(move |ix: &mut Instruction| ix.accounts[layout.obligation].pubkey = k)
                },
                ErrorCode::AccountDiscriminatorMismatch.into(),
            ),
            (
                "missing (never created) obligation",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[layout.obligation].pubkey = Pubkey::new_unique()
                }),
                ErrorCode::AccountOwnedByWrongProgram.into(),
            ),
            (
                "zeroed program-owned obligation",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[layout.obligation].pubkey = zeroed
                }),
                ErrorCode::AccountDiscriminatorMismatch.into(),
            ),
            (
                "fake token program",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[layout.token_program].pubkey = Pubkey::new_unique()
                }),
                ErrorCode::InvalidProgramId.into(),
            ),
            (
                "Token-2022 instead of SPL Token",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[layout.token_program].pubkey = anchor_spl::token_2022::ID
                }),
                LendingError::InvalidTokenProgram.into(),
            ),
            (
                "vault of another reserve",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[layout.vault].pubkey = other_vault
                }),
                LendingError::InvalidVault.into(),
            ),
            (
                "token account of another mint",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[layout.token_account].pubkey = wrong_mint_account
                }),
                LendingError::InvalidMint.into(),
            ),
            (
                "reserve (and its vault) of another market, same mint",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[3].pubkey = foreign.0;
                    ix.accounts[4].pubkey = foreign.1;
                }),
                LendingError::InvalidMarket.into(),
            ),
        ];
        // The paying token account must be the signer's: the token program refuses another
        // owner's (`OwnerMismatch`). Withdraw and borrow pay out to any account of the mint,
        // the owner's choice; liquidate is refused earlier here (healthy obligation) and is
        // covered by `liquidation_failures::fail_liquidate_when_token_accounts_have_the_wrong_mint_or_owner`.
        if layout.name == "repay" {
            let victims = lender.tokens[USDC];
            attacks.push((
                "paying token account of another owner",
                Box::new(move |ix: &mut Instruction| {
                    ix.accounts[layout.token_account].pubkey = victims
                }),
                SPL_TOKEN_OWNER_MISMATCH,
            ));
        }
        for (what, mutate, code) in attacks {
            let mut ix = base.clone();
            mutate(&mut ix);
            let signers: Vec<&solana_sdk::signature::Keypair> = if ix.accounts[0].is_signer {
                vec![&signer]
            } else {
                vec![]
            };
            let res = f.send(&[ix], &signers).await;
            assert_eq!(
                error_code(&res),
                Some(code),
                "{} / {what}: {res:?}",
                layout.name
            );
            cases += 1;
        }
    }
    assert_eq!(cases, 4 * 10 + 1);
    assert_eq!(
        f.snapshot(&keys).await,
        before,
        "no attack changed anything"
    );
}

#[tokio::test]
async fn fail_init_obligation_when_owner_did_not_sign_or_already_exists() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[0, 0, 0]).await;
    let mut ix = f.init_obligation_ix(&user.keypair.pubkey(), 1);
    ix.accounts[0].is_signer = false;
    ix.accounts[1].pubkey = solana_sdk::signature::Signer::pubkey(&f.ctx.payer);
    assert_error(f.send(&[ix], &[]).await, ErrorCode::AccountNotSigner);
    // Re-initialising a live obligation: the system program refuses to create it again.
    let ix = f.init_obligation_ix(&user.keypair.pubkey(), 0);
    let before = f.snapshot(&[user.obligation]).await;
    let res = f.send(&[ix], &[&user.keypair]).await;
    assert!(
        is_reinit_refusal(&res),
        "a live obligation cannot be re-initialised: {res:?}"
    );
    assert_eq!(f.snapshot(&[user.obligation]).await, before);
}
