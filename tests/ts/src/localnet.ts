// Starts the workspace's validator (`clipstake-localnet`) on free loopback ports with the ELF
// deployed and `upgradeAuthority` as its upgrade authority, and waits for its ready file.
import { spawn } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { PublicKey } from "@solana/web3.js";

import { RpcChain } from "./chain";
import { REPO } from "./paths";

/** The validator binary `cargo build --bin clipstake-localnet` writes (overridable). */
export function localnetBinary(): string {
  if (process.env.CLIPSTAKE_LOCALNET_BIN) return process.env.CLIPSTAKE_LOCALNET_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(process.env.HOME ?? ".", ".cache/clipstake/target-host");
  return join(targetDir, "debug", "clipstake-localnet");
}

const READY_TIMEOUT_MS = 120_000;

export async function startLocalnet(elfPath: string, upgradeAuthority: PublicKey): Promise<RpcChain> {
  const binary = localnetBinary();
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: run \`cargo build --locked --bin clipstake-localnet\` (make test-ts does)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "clipstake-ts-"));
  const ready = join(dir, "ready");
  const child = spawn(
    binary,
    ["--program", elfPath, "--upgrade-authority", upgradeAuthority.toBase58(),
      "--rpc-port", "0", "--ws-port", "0", "--slot-time-ms", "100", "--ready-file", ready],
    { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(ready)) {
    if (child.exitCode !== null) throw new Error(`clipstake-localnet exited (${child.exitCode}) before it was ready`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`clipstake-localnet was not ready in ${READY_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return new RpcChain("localnet", readFileSync(ready, "utf8").trim(), stop);
}
