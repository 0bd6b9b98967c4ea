/** Events of a landed transaction: `emit_cpi!` inner instructions read back with getTransaction. */
import { connection, program } from "./env";
import { cpiEvents } from "../../sdk";

export async function eventsOf(signature: string): Promise<{ name: string; data: any }[]> {
  const tx = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
  return cpiEvents(program, tx as any);
}

export async function eventOf(signature: string, name: string): Promise<any> {
  const found = (await eventsOf(signature)).filter((e) => e.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name} event, found ${found.length}`);
  return found[0].data;
}
