/**
 * The dApp in a real Chromium against `sentinel-localnet --demo`: a burner wallet funded by the
 * faucet deposits SOL and borrows USDC with a previewed health factor, is refused a borrow past
 * its limit (in the UI, then by the program when forced), turns liquidatable when the SOL price
 * falls, is liquidated from a second browser context's liquidation watch, then repays and
 * withdraws everything. Amounts on screen are checked against the accounts on chain.
 */
import * as path from "node:path";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { Connection, PublicKey } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { cpiEvents, math as m, obligationPda, position as pos } from "../../sdk";
import { readProgram, rpcCall, type DemoMarket } from "../src/lib/market";
import { usd } from "../src/lib/format";

const rpcUrl = process.env.SENTINEL_RPC_URL ?? "http://127.0.0.1:8899";
const artifacts = path.join(process.cwd(), "target", "app-artifacts");
const connection = new Connection(rpcUrl, "confirmed");
const program = readProgram(connection);

let demo: DemoMarket;
let market: PublicKey;
const asset = (symbol: string) => {
  const a = demo.assets.find((x) => x.symbol === symbol);
  if (!a) throw new Error(`no ${symbol} in the demo market`);
  return a;
};

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** A new browser context with the burner wallet connected and funded by the faucet. */
async function connectedWallet(browser: Browser): Promise<{ context: BrowserContext; page: Page; wallet: PublicKey }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => console.log(`[page error] ${e.message}`));
  page.on("requestfailed", (r) => console.log(`[request failed] ${r.url()} ${r.failure()?.errorText}`));
  await page.goto("/");
  await expect(page.getByTestId("reserves")).toBeVisible({ timeout: 60_000 });
  await page.getByRole("button", { name: /Select Wallet/i }).click();
  await page.getByRole("button", { name: /Burner Wallet/i }).click();
  await expect(page.getByTestId("wallet")).not.toHaveAttribute("data-wallet", "");
  const wallet = new PublicKey((await page.getByTestId("wallet").getAttribute("data-wallet"))!);
  await page.getByTestId("faucet").click();
  await expect(page.getByTestId("faucet-status")).toContainText("Funded");
  await expect(page.getByTestId("sol-balance")).not.toHaveText("0.000 SOL");
  return { context, page, wallet };
}

async function obligationOf(owner: PublicKey) {
  return program.account.obligation.fetchNullable(obligationPda(program.programId, market, owner, 0));
}

async function tokenBalance(owner: PublicKey, symbol: string): Promise<bigint> {
  const ata = getAssociatedTokenAddressSync(new PublicKey(asset(symbol).mint), owner, true);
  const r = await connection.getTokenAccountBalance(ata, "confirmed").catch(() => null);
  return r ? BigInt(r.value.amount) : 0n;
}

/** Fills the action panel and sends; waits for the landing and returns the signature. */
async function act(page: Page, kind: string, symbol: string, amount: string | "max") {
  await page.getByTestId(`action-${kind}`).click();
  await page.getByTestId("action-asset").selectOption({ label: symbol });
  if (amount === "max") await page.getByTestId("action-max").click();
  else await page.getByTestId("action-amount").fill(amount);
  await expect(page.getByTestId("action-send")).toBeEnabled();
  await page.getByTestId("action-send").click();
  await expect(page.getByTestId("action-success")).toBeVisible();
  return (await page.getByTestId("action-success").getAttribute("data-signature"))!;
}

test.describe.serial("Sentinel dApp on sentinel-localnet --demo", () => {
  let borrower: { context: BrowserContext; page: Page; wallet: PublicKey };

  test.beforeAll(async () => {
    demo = await rpcCall(rpcUrl, "sentinel_demoMarket");
    market = new PublicKey(demo.market);
  });

  test("successful_deposit_shows_the_on_chain_deposit_value", async ({ browser }) => {
    borrower = await connectedWallet(browser);
    const { page, wallet } = borrower;
    await shot(page, "markets");
    await page.getByTestId("tab-Position").click();
    await act(page, "deposit", "SOL", "5");
    const ob = await obligationOf(wallet);
    expect(ob).not.toBeNull();
    const stored = m.sfToBigInt(ob!.deposits[0].marketValueSf);
    expect(stored).toBeGreaterThan(0n);
    await expect(page.getByTestId("deposit-value-SOL")).toHaveText(usd(stored));
    await expect(page.getByTestId("deposited-value")).toHaveText(usd(m.sfToBigInt(ob!.depositedValueSf)));
    // Read from the obligation's Deposited event: 5 SOL in, no interest yet (SOL has no borrowers).
    await expect(page.getByTestId("deposit-interest-SOL")).toHaveText("0.000000");
  });

  test("successful_borrow_lands_the_previewed_health_factor", async () => {
    const { page, wallet } = borrower;
    await page.getByTestId("action-borrow").click();
    await page.getByTestId("action-asset").selectOption({ label: "USDC" });
    await page.getByTestId("action-amount").fill("450");
    await expect(page.getByTestId("preview")).not.toHaveAttribute("data-hf-bps", "");
    const previewBps = BigInt((await page.getByTestId("preview").getAttribute("data-hf-bps"))!);
    await page.getByTestId("action-send").click();
    await expect(page.getByTestId("action-success")).toBeVisible();
    const ob = await obligationOf(wallet);
    const storedBps = m.healthFactorBps(pos.cachedHealth(ob));
    // The same figures the program computes; interest between preview and landing at most 1 bps.
    expect(previewBps - storedBps <= 1n && storedBps - previewBps <= 1n).toBe(true);
    expect(await tokenBalance(wallet, "USDC")).toBeGreaterThanOrEqual(450_000_000n);
    await expect(page.getByTestId("borrow-USDC")).toBeVisible();
    await shot(page, "position");
  });

  test("fail_borrow_when_above_the_limit_in_the_ui_and_by_the_program", async () => {
    const { page, wallet } = borrower;
    const before = await obligationOf(wallet);
    await page.getByTestId("action-borrow").click();
    await page.getByTestId("action-asset").selectOption({ label: "USDC" });
    await page.getByTestId("action-amount").fill("2000");
    await expect(page.getByTestId("action-problem").first()).toContainText("borrow limit");
    await expect(page.getByTestId("action-send")).toBeDisabled();
    await page.getByTestId("action-force").check();
    await page.getByTestId("action-send").click();
    await expect(page.getByTestId("action-error-name")).toHaveText("BorrowTooLarge");
    await expect(page.getByTestId("action-error")).toContainText("6025");
    await page.getByTestId("action-force").uncheck();
    await shot(page, "borrow-refused");
    const after = await obligationOf(wallet);
    expect(m.sfToBigInt(after!.borrows[0].normalizedDebtSf)).toBe(m.sfToBigInt(before!.borrows[0].normalizedDebtSf));
  });

  test("successful_price_drop_makes_the_position_liquidatable_in_the_watch", async () => {
    const { page, wallet } = borrower;
    const sol = asset("SOL");
    // $150 → $105: 5 SOL × $105 × 78% = $409.5 of threshold value against $450 of debt.
    await rpcCall(rpcUrl, "sentinel_setPythPrice", [{ account: sol.priceAccount, kind: sol.oracleKind, feedId: sol.feedId, price: 10_500_000_000, expo: -8, keepFresh: true }]);
    await expect(page.getByTestId("liquidatable-warning")).toBeVisible();
    await page.getByTestId("tab-Liquidations").click();
    const row = page.locator(`[data-owner="${wallet.toBase58()}"]`);
    await expect(row).toHaveClass(/liquidatable/);
    await shot(page, "liquidation-watch");
  });

  test("successful_liquidation_from_a_second_wallet_updates_both", async ({ browser }) => {
    const liquidator = await connectedWallet(browser);
    const { page, wallet } = liquidator;
    const [usdcBefore, solBefore] = [await tokenBalance(wallet, "USDC"), await tokenBalance(wallet, "SOL")];
    const debtBefore = m.sfToBigInt((await obligationOf(borrower.wallet))!.borrows[0].normalizedDebtSf);
    await borrower.page.getByTestId("tab-Position").click();
    const borrowedBefore = (await borrower.page.getByTestId("borrowed-value").textContent())!;
    await page.getByTestId("tab-Liquidations").click();
    const healthBefore = (await page.locator(`[data-owner="${borrower.wallet.toBase58()}"] td`).nth(2).textContent())!;
    await page.locator(`[data-owner="${borrower.wallet.toBase58()}"]`).getByTestId("watch-liquidate").click();
    await expect(page.getByTestId("liquidate-preview")).toBeVisible();
    const previewSeize = BigInt((await page.getByTestId("liquidate-preview").getAttribute("data-seize"))!);
    await shot(page, "liquidate-preview");
    await page.getByTestId("liquidate-send").click();
    await expect(page.getByTestId("liquidate-success")).toBeVisible();
    const signature = (await page.getByTestId("liquidate-success").getAttribute("data-signature"))!;
    const tx = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    const ev = cpiEvents(program, tx as never).find((e) => e.name === "liquidated")?.data;
    expect(ev).toBeTruthy();
    const repaid = BigInt(ev.repayAmount.toString());
    const received = BigInt(ev.liquidatorAmount.toString());
    // Exactly what the event says moved; at least the preview's minimum (1% slippage).
    expect(usdcBefore - (await tokenBalance(wallet, "USDC"))).toBe(repaid);
    expect((await tokenBalance(wallet, "SOL")) - solBefore).toBe(received);
    expect(received * 10_000n).toBeGreaterThanOrEqual(previewSeize * 9_900n);
    const debtAfter = m.sfToBigInt((await obligationOf(borrower.wallet))!.borrows[0].normalizedDebtSf);
    expect(debtAfter).toBeLessThan(debtBefore);
    // Both pages follow the accounts: the watch's health of the position rose, the borrower's
    // debt fell.
    const row = page.locator(`[data-owner="${borrower.wallet.toBase58()}"] td`).nth(2);
    await expect(row).not.toHaveText(healthBefore);
    await expect(borrower.page.getByTestId("borrowed-value")).not.toHaveText(borrowedBefore);
    await shot(page, "after-liquidation");
    await liquidator.context.close();
  });

  test("successful_repay_and_withdraw_everything_empty_the_obligation", async () => {
    const { page, wallet } = borrower;
    await page.getByTestId("tab-Position").click();
    await act(page, "repay", "USDC", "max");
    await expect(page.getByTestId("borrow-USDC")).toHaveCount(0);
    await act(page, "withdraw", "SOL", "max");
    await expect(page.getByTestId("deposit-SOL")).toHaveCount(0);
    const ob = await obligationOf(wallet);
    expect(pos.positionsOf(ob)).toEqual({ deposits: [], borrows: [] });
    await shot(page, "position-closed");
    await page.getByTestId("tab-Settings").click();
    await expect(page.getByTestId("settings-rpc")).toHaveValue(rpcUrl);
    await shot(page, "settings");
    await borrower.context.close();
  });
});
