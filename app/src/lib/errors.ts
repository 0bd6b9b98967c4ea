/** Program errors by their IDL name, with a sentence a user can act on. */
import { errorNames } from "../../../sdk";
import idl from "../../../idl/lending.json";

const MESSAGES = new Map<number, string>(
  (idl as { errors: { code: number; msg?: string }[] }).errors.map((e) => [e.code, e.msg ?? ""]),
);

/** Longer explanations of the errors a user meets in the four actions and in liquidation. */
const HUMAN: Record<string, string> = {
  BorrowTooLarge: "This borrow would take your debt past your borrow limit. Borrow less or deposit more collateral first.",
  WithdrawTooLarge: "This withdrawal would leave your debt above your borrow limit. Repay some debt first or withdraw less.",
  InsufficientLiquidity: "The reserve does not have that much liquidity available right now.",
  BorrowCapExceeded: "The reserve's borrow cap would be exceeded.",
  DepositCapExceeded: "The reserve's deposit cap would be exceeded.",
  ObligationHealthy: "This position is healthy: it cannot be liquidated.",
  LiquidationSlippage: "The collateral you would receive fell below your minimum (prices moved). Preview again.",
  LiquidationTooLarge: "The repayment exceeds what one liquidation may repay now (close factor or collateral).",
  ReserveStale: "A reserve's price is not fresh in this slot. Try again: the refreshes are sent with the action.",
  BorrowPaused: "Borrowing is paused on this reserve or market.",
  WithdrawPaused: "Withdrawals are paused on this reserve or market.",
};

export interface ProgramErrorInfo {
  code: number | null;
  name: string;
  message: string;
}

/** The lending program's error in a failed send or simulation, else the raw message. */
export function describeError(e: unknown): ProgramErrorInfo {
  const text = [String((e as { message?: string })?.message ?? e), ...(((e as { logs?: string[] })?.logs ?? []) as string[])].join("\n");
  const hex = /custom program error: 0x([0-9a-f]+)/i.exec(text)?.[1];
  const dec = /"Custom":\s*(\d+)/.exec(text)?.[1] ?? /Error Number: (\d+)/.exec(text)?.[1];
  const code = hex ? parseInt(hex, 16) : dec ? Number(dec) : null;
  const name = code !== null ? errorNames.get(code) : undefined;
  if (code !== null && name) {
    return { code, name, message: HUMAN[name] ?? MESSAGES.get(code) ?? name };
  }
  if (/User rejected/i.test(text)) return { code: null, name: "Rejected", message: "The wallet declined to sign." };
  return { code, name: code !== null ? `Error ${code}` : "Error", message: text.split("\n")[0].slice(0, 300) };
}
