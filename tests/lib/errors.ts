/** Asserting the program's error by its IDL name, on a validator (AnchorError from the logs)
 *  and on sentinel-localnet (whose native build logs only the runtime's custom error code). */
import * as assert from "node:assert/strict";
import { errorNames } from "../../sdk";

/** The lending error name carried by `err`, if any. */
export function lendingErrorName(err: any): string | undefined {
  const anchorCode = err?.error?.errorCode?.code;
  if (typeof anchorCode === "string") return anchorCode;
  if (typeof err?.code === "number" && errorNames.has(err.code)) return errorNames.get(err.code);
  const text = [String(err?.message ?? ""), ...(err?.logs ?? err?.transactionLogs ?? [])].join("\n");
  const hex = /custom program error: (0x[0-9a-fA-F]+)/.exec(text);
  if (hex) return errorNames.get(parseInt(hex[1], 16));
  const custom = /"Custom":\s*(\d+)/.exec(text);
  return custom ? errorNames.get(Number(custom[1])) : undefined;
}

/** Awaits `action`, which must fail with the lending error `name`. */
export async function expectError(action: Promise<unknown>, name: string): Promise<void> {
  try {
    await action;
  } catch (err) {
    assert.equal(lendingErrorName(err), name, `expected ${name}, got: ${String(err).slice(0, 400)}`);
    return;
  }
  assert.fail(`expected the program to fail with ${name}, but it succeeded`);
}
