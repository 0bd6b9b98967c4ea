/** 09: bad requests get JSON-RPC errors (the codes a validator uses), and the node keeps serving. */
import * as assert from "node:assert/strict";
import { rpcUrl } from "./lib/env";

async function raw(body: string): Promise<any> {
  const res = await fetch(rpcUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  return res.json();
}
const call = (method: string, params: unknown[] = []) =>
  raw(JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }));

describe("09 JSON-RPC errors", function () {
  it("fail_unknown_method_with_method_not_found", async function () {
    const r = await call("getNoSuchThing");
    assert.equal(r.error.code, -32601);
    assert.equal(r.id, 7);
  });

  it("fail_malformed_json_with_parse_error", async function () {
    const r = await raw("{not json");
    assert.equal(r.error.code, -32700);
  });

  it("fail_send_transaction_when_base64_is_bad", async function () {
    const r = await call("sendTransaction", ["@@@not-base64@@@", { encoding: "base64" }]);
    assert.equal(r.error.code, -32602);
  });

  it("fail_send_transaction_when_it_is_oversized", async function () {
    const r = await call("sendTransaction", [Buffer.alloc(1_300, 1).toString("base64"), { encoding: "base64" }]);
    assert.equal(r.error.code, -32602);
    assert.match(r.error.message, /too large/);
  });

  it("successful_node_still_serves_after_bad_requests", async function () {
    const r = await call("getHealth");
    assert.equal(r.result, "ok");
  });
});
