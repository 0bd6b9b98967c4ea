//! Flash loans in the simulator: `--flash-keepers N` lists every reserve's flash loans at
//! [`FEE_BPS`] and makes the first N keepers fund their liquidations with them
//! ([`crate::flash`]), repaying from their balances.

use anchor_lang::{InstructionData, ToAccountMetas};
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::Signer;

use super::world::World;
use crate::instructions::event_authority;

/// Flash-loan fee of the simulated reserves (bps): 0.09%, Aave v3's.
pub const FEE_BPS: u16 = 9;

/// Enables flash loans at `fee_bps` on every reserve of the world (as its admin).
pub async fn enable(world: &mut World, fee_bps: u16) -> anyhow::Result<()> {
    let admin = world.admin.insecure_clone();
    let ixs: Vec<Instruction> = world
        .assets
        .iter()
        .map(|a| Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::SetFlashLoanConfig {
                admin: admin.pubkey(),
                lending_market: world.market,
                reserve: a.reserve,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::SetFlashLoanConfig {
                enabled: true,
                fee_bps,
            }
            .data(),
        })
        .collect();
    for ix in ixs {
        world.send(&[ix], &[&admin]).await?;
    }
    Ok(())
}
