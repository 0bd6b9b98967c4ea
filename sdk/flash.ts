/** Flash loans: the `flash_borrow` / `flash_repay` instruction pair and the fee, as the program
 *  computes them (`crates/lending-math/src/flash.rs`).
 *
 *  The program requires, through the instructions sysvar, that a `flash_repay` naming the
 *  borrow's index in the transaction follows it, for the same reserve and amount, with no other
 *  `flash_borrow` in between; neither may be called through CPI. The repayment takes the amount
 *  plus the fee from its source account. */
import { BN, Program } from "@anchor-lang/core";
import { PublicKey, TransactionInstruction } from "@solana/web3.js";
import type { Lending } from "../idl/lending";

/** Highest flash-loan fee a reserve may charge (bps). */
export const MAX_FLASH_LOAN_FEE_BPS = 1_000;

/** The fee on a loan of `amount`: `ceil(amount × feeBps / 10,000)` (base units). */
export function flashLoanFee(amount: bigint, feeBps: number): bigint {
  return (amount * BigInt(feeBps) + 9_999n) / 10_000n;
}

/** What a repayment of a loan of `amount` costs: the amount plus the fee (base units). */
export const flashRepayTotal = (amount: bigint, feeBps: number): bigint => amount + flashLoanFee(amount, feeBps);

/** The reserve accounts the pair names, and its flash-loan settings. */
export interface FlashLoanReserve {
  address: PublicKey;
  market: PublicKey;
  vault: PublicKey;
  mint: PublicKey;
  tokenProgram: PublicKey;
  enabled: boolean;
  feeBps: number;
  /** Liquidity a loan may take (base units). */
  available: bigint;
}

/** Reads a reserve's accounts and flash-loan settings. */
export async function flashLoanReserve(program: Program<Lending>, address: PublicKey): Promise<FlashLoanReserve> {
  const r = await program.account.reserve.fetch(address);
  return {
    address,
    market: r.lendingMarket,
    vault: r.vault,
    mint: r.mint,
    tokenProgram: r.tokenProgram,
    enabled: r.flashLoansEnabled === 1,
    feeBps: r.flashLoanFeeBps,
    available: BigInt(r.availableAmount.toString()),
  };
}

const accounts = (r: FlashLoanReserve) => ({
  lendingMarket: r.market,
  reserve: r.address,
  vault: r.vault,
  mint: r.mint,
  tokenProgram: r.tokenProgram,
});

/** `flash_borrow` of `amount` from `r` into `destination`, signed by `borrower`. */
export const flashBorrowIx = (
  program: Program<Lending>,
  r: FlashLoanReserve,
  borrower: PublicKey,
  destination: PublicKey,
  amount: bigint,
): Promise<TransactionInstruction> =>
  program.methods
    .flashBorrow(new BN(amount.toString()))
    .accountsPartial({ borrower, ...accounts(r), destination })
    .instruction();

/** `flash_repay` of the loan of `amount` taken by the transaction's instruction at
 *  `borrowInstructionIndex`, paid (amount plus fee) from `source` by `payer`. */
export const flashRepayIx = (
  program: Program<Lending>,
  r: FlashLoanReserve,
  payer: PublicKey,
  source: PublicKey,
  amount: bigint,
  borrowInstructionIndex: number,
): Promise<TransactionInstruction> =>
  program.methods
    .flashRepay(new BN(amount.toString()), borrowInstructionIndex)
    .accountsPartial({ payer, ...accounts(r), source })
    .instruction();

/** `middle` inside a flash loan of `amount` by `user` (to and from `token`): borrow, `middle`,
 *  repay. `borrowIndex` is the index the borrow will have in the transaction: the number of
 *  instructions placed before these (compute-budget instructions, for instance). */
export async function flashLoanIxs(
  program: Program<Lending>,
  r: FlashLoanReserve,
  user: PublicKey,
  token: PublicKey,
  amount: bigint,
  middle: TransactionInstruction[],
  borrowIndex: number,
): Promise<TransactionInstruction[]> {
  return [
    await flashBorrowIx(program, r, user, token, amount),
    ...middle,
    await flashRepayIx(program, r, user, token, amount, borrowIndex),
  ];
}
