/** What became of a sent transaction: its signature, or the program's error by IDL name. */
import type { ProgramErrorInfo } from "../lib/errors";

export type SendOutcome = { ok: true; signature: string } | { ok: false; error: ProgramErrorInfo };

export function Outcome({ outcome, testid }: { outcome: SendOutcome | null; testid: string }) {
  if (!outcome) return null;
  if (outcome.ok) {
    return (
      <div className="success small" data-testid={`${testid}-success`} data-signature={outcome.signature}>
        Landed: {outcome.signature.slice(0, 16)}…
      </div>
    );
  }
  return (
    <div className="error" data-testid={`${testid}-error`}>
      <b data-testid={`${testid}-error-name`}>{outcome.error.name}</b>
      {outcome.error.code !== null ? ` (${outcome.error.code})` : ""}: {outcome.error.message}
    </div>
  );
}
