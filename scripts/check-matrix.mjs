// Checks that every test docs/security-matrix.md names exists and runs in CI, so that the
// matrix cannot drift from the suite. Reads the output of
// `cargo test --workspace -- --list` (all tests) and `-- --list --ignored` (the ignored ones).
//
// How the matrix names tests:
//   module::test_name        a test of programs/lending/tests/suite/<module>.rs (test names
//                            start with successful_, fail_ or exploit_; other paths are code);
//   module::a, b             later names in the same cell without a module take the last one;
//   `test_name`              a test anywhere in the workspace (crate unit tests, lending-math);
//   bare test_name           the same, when no module came before it in the cell.
// Invariant references (INV-nn) must be defined in the fuzz's header.
//
// Usage: node scripts/check-matrix.mjs <all-tests.txt> <ignored-tests.txt>
import fs from "node:fs";

const [allFile, ignoredFile] = process.argv.slice(2);
if (!allFile || !ignoredFile) {
  console.error("usage: check-matrix.mjs <all-tests.txt> <ignored-tests.txt>");
  process.exit(2);
}

const names = (file) =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.endsWith(": test"))
    .map((l) => l.slice(0, -": test".length));
const ignored = new Set(names(ignoredFile));
const running = names(allFile).filter((n) => !ignored.has(n));
const byPath = new Set(running);
const byLeaf = new Set(running.map((n) => n.split("::").pop()));
const allByLeaf = new Set(names(allFile).map((n) => n.split("::").pop()));

const root = new URL("..", import.meta.url).pathname;
const doc = fs.readFileSync(`${root}docs/security-matrix.md`, "utf8");
const fuzzHeader = fs.readFileSync(`${root}programs/lending/tests/suite/invariants.rs`, "utf8");
const definedInvariants = new Set([...fuzzHeader.matchAll(/^\/\/! - (INV-\d+)/gm)].map((m) => m[1]));

const TEST = /^(successful|fail|exploit)_[a-z0-9_]+$/;
const problems = [];
let cited = 0;

function check(name, module, where) {
  cited += 1;
  if (module) {
    if (byPath.has(`${module}::${name}`)) return;
    problems.push(`${where}: ${module}::${name} ${allByLeaf.has(name) ? "is ignored or in another module" : "does not exist"}`);
  } else if (!byLeaf.has(name)) {
    problems.push(`${where}: ${name} ${allByLeaf.has(name) ? "is ignored" : "does not exist"}`);
  }
}

const rows = doc.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("|---"));
for (const row of rows) {
  const cells = row.split("|").slice(1, -1).map((c) => c.trim());
  const label = cells[0];
  cells.slice(1).forEach((cell, col) => {
    const where = `row "${label}", column ${col + 1}`;
    let module = null;
    // Module-qualified names, then the names that follow them in the cell.
    for (const token of cell.split(/[\s,;()]+/)) {
      const clean = token.replace(/`/g, "");
      const qualified = clean.match(/^([a-z0-9_]+)::([a-z0-9_]+)$/);
      if (qualified && TEST.test(qualified[2])) {
        module = qualified[1];
        check(qualified[2], module, where);
      } else if (TEST.test(clean)) {
        check(clean, token.includes("`") ? null : module, where);
      }
    }
    for (const inv of cell.matchAll(/INV-\d+/g)) {
      if (!definedInvariants.has(inv[0])) problems.push(`${where}: ${inv[0]} is not defined in invariants.rs`);
    }
  });
}

// The totals line must match the table.
const table = doc.split("## Exploit replays")[0].split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| attack class"));
let covered = 0;
let notApplicable = 0;
let gaps = 0;
for (const row of table) {
  for (const cell of row.split("|").slice(2, -1).map((c) => c.trim())) {
    if (/^gap/.test(cell)) gaps += 1;
    else if (/^n\/a/.test(cell)) notApplicable += 1;
    else covered += 1;
  }
}
const totals = doc.match(/(\d+) cells are covered by a test, (\d+) are not applicable[^,]*, and (none|\d+) (?:is|are) a gap/);
const stated = totals && [Number(totals[1]), Number(totals[2]), totals[3] === "none" ? 0 : Number(totals[3])];
if (!stated || stated[0] !== covered || stated[1] !== notApplicable || stated[2] !== gaps) {
  problems.push(`totals: the table has ${covered} covered, ${notApplicable} n/a, ${gaps} gap cells; the text says ${stated}`);
}

if (problems.length > 0) {
  console.error(`security matrix: ${problems.length} problem(s) in ${cited} cited tests`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`security matrix: ${cited} cited tests, all exist and run; ${covered} cells covered, ${notApplicable} n/a, ${gaps} gaps`);
