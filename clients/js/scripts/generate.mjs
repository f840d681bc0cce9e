// Regenerates src/generated from the committed IDL (idl/clipstake.json): `make clients-js`.
// `node scripts/generate.mjs DIR` writes DIR/src/generated instead (the freshness test).
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFromRoot, updateInstructionsVisitor } from "codama";
import { rootNodeFromAnchor } from "@codama/nodes-from-anchor";
import { renderVisitor } from "@codama/renderers-js";

const here = dirname(fileURLToPath(import.meta.url));
const idl = JSON.parse(readFileSync(join(here, "..", "..", "..", "idl", "clipstake.json"), "utf8"));
const pkg = process.argv[2] ?? join(here, "..");
const out = join(pkg, "src", "generated");

rmSync(out, { recursive: true, force: true });
const codama = createFromRoot(rootNodeFromAnchor(idl));
// A claim is the creator's: the program requires the creator's signature (claim.rs), which the
// IDL cannot say because `claim` and `disburse` share their payout accounts.
// The optional associated token program has a fixed address in the IDL, which Codama would
// fill in when it is omitted; omitted must mean absent (a SOL campaign refuses token accounts).
const noDefaultAtaProgram = { associatedTokenProgram: { defaultValue: null } };
codama.update(
  updateInstructionsVisitor({
    claim: { accounts: { creator: { isSigner: true }, ...noDefaultAtaProgram } },
    createCampaign: { accounts: noDefaultAtaProgram },
    disburse: { accounts: noDefaultAtaProgram },
    settleAccrued: { accounts: noDefaultAtaProgram },
  }),
);
// Prettier-formatted, so a regeneration from the same IDL is byte for byte the same.
codama.accept(renderVisitor(pkg, { formatCode: true, deleteFolderBeforeRendering: true, syncPackageJson: false }));
console.log(`wrote ${out}`);
