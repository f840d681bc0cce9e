// src/generated is what the generator makes from the committed IDL today: a stale client (the
// IDL changed, `make clients-js` not run) fails here.
import { execFileSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";
import { expect } from "chai";

const PACKAGE = join(__dirname, "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe("the generated client", () => {
  it("is current with idl/clipstake.json (`make clients-js`)", () => {
    const scratch = mkdtempSync(join(tmpdir(), "clipstake-codama-"));
    try {
      execFileSync(process.execPath, [join(PACKAGE, "scripts", "generate.mjs"), scratch], { stdio: "ignore" });
      const fresh = join(scratch, "src", "generated");
      const committed = join(PACKAGE, "src", "generated");
      const names = (root: string) => files(root).map((f) => relative(root, f)).sort();
      expect(names(committed), "file list").to.deep.equal(names(fresh));
      for (const name of names(fresh)) {
        const same = readFileSync(join(fresh, name), "utf8") === readFileSync(join(committed, name), "utf8");
        expect(same, `src/generated/${name} is stale: run \`make clients-js\``).to.equal(true);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
