// The program as a TypeScript developer reaches it: an Anchor `Program` built from the IDL,
// with its PDAs, typed accounts, events and errors.
import { AnchorError, EventParser, IdlAccounts, IdlEvents, Program, Provider } from "@anchor-lang/core";
import { Connection, PublicKey } from "@solana/web3.js";

import type { Clipstake } from "../../../target/types/clipstake";
import idlJson from "../../../target/idl/clipstake.json";
import { Chain } from "./chain";

export type Campaign = IdlAccounts<Clipstake>["campaign"];
export type Submission = IdlAccounts<Clipstake>["submission"];
export type Platform = IdlAccounts<Clipstake>["platform"];
export type AccountName = keyof IdlAccounts<Clipstake>;
export type EventName = keyof IdlEvents<Clipstake>;

export const IDL = idlJson as Clipstake;
export const PROGRAM_ID = new PublicKey(IDL.address);
const UPGRADEABLE_LOADER = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

/** The program through its IDL on `chain`. Instructions are only built here (no resolution,
 * `accountsStrict`), so the provider's connection is never used on litesvm. */
export function program(connection?: Connection): Program<Clipstake> {
  const provider = { connection: connection ?? new Connection("http://127.0.0.1:1") } as Provider;
  return new Program<Clipstake>(IDL, provider);
}

/** A PDA of the program from the IDL's seed constants. */
function pda(seeds: (Buffer | Uint8Array)[]): PublicKey {
  return PublicKey.findProgramAddressSync(seeds, PROGRAM_ID)[0];
}

/** A seed constant of the IDL (`#[constant]`s in state/seeds.rs) as bytes. */
function seed(name: string): Buffer {
  const constant = IDL.constants.find((c) => c.name === name);
  if (!constant) throw new Error(`no constant ${name} in the IDL`);
  // Byte-string constants are printed as JSON arrays of their bytes.
  return Buffer.from(JSON.parse(constant.value) as number[]);
}

export const pdas = {
  platform: () => pda([seed("PLATFORM_SEED")]),
  oracle: (oracle: PublicKey) => pda([seed("ORACLE_SEED"), oracle.toBuffer()]),
  campaign: (brand: PublicKey, id: bigint) => {
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(id);
    return pda([seed("CAMPAIGN_SEED"), brand.toBuffer(), le]);
  },
  solVault: (campaign: PublicKey) => pda([seed("SOL_VAULT_SEED"), campaign.toBuffer()]),
  submission: (campaign: PublicKey, contentHash: Buffer) =>
    pda([seed("SUBMISSION_SEED"), campaign.toBuffer(), contentHash]),
  trustedMint: (mint: PublicKey) => pda([seed("TRUSTED_MINT_SEED"), mint.toBuffer()]),
  programData: () => PublicKey.findProgramAddressSync([PROGRAM_ID.toBuffer()], UPGRADEABLE_LOADER)[0],
};

/** Reads and decodes an account of the program with the IDL's coder; null when absent. */
export async function fetchAccount<N extends AccountName>(
  chain: Chain,
  prog: Program<Clipstake>,
  name: N,
  address: PublicKey,
): Promise<IdlAccounts<Clipstake>[N] | null> {
  const data = await chain.accountData(address);
  return data ? prog.coder.accounts.decode<IdlAccounts<Clipstake>[N]>(name, data) : null;
}

/** The program's events in `logs`, decoded by name. */
export function events(prog: Program<Clipstake>, logs: string[]): { name: string; data: any }[] {
  return Array.from(new EventParser(prog.programId, prog.coder).parseLogs(logs));
}

/** The one event called `name` in `logs` (throws when it is not there exactly once). */
export function event<N extends EventName>(prog: Program<Clipstake>, logs: string[], name: N): IdlEvents<Clipstake>[N] {
  const found = events(prog, logs).filter((e) => e.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name} event, found ${found.length} in\n${logs.join("\n")}`);
  return found[0].data;
}

/** The name of the program error in a failed transaction's logs (its IDL `errors` entry). */
export function errorName(logs: string[]): string | undefined {
  return AnchorError.parse(logs)?.error.errorCode.code;
}
