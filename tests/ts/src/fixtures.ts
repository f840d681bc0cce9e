// Actors, assets and the oracle's attestation, for either engine.
import { createHash } from "crypto";
import {
  AccountLayout,
  createAssociatedTokenAccountIdempotentInstruction,
  createInitializeMint2Instruction,
  createMintToInstruction,
  getAssociatedTokenAddressSync,
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { Ed25519Program, Keypair, PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";

import { Chain } from "./chain";
import { PROGRAM_ID } from "./clipstake";

export const SOL = 1_000_000_000n;

/** Everyone in the story; `admin` is the program's upgrade authority. */
export class Actors {
  readonly admin = Keypair.generate();
  readonly payer = Keypair.generate();
  readonly treasury = Keypair.generate();
  readonly oracle = Keypair.generate();
  readonly brand = Keypair.generate();

  async fund(chain: Chain) {
    for (const who of [this.admin, this.payer, this.treasury, this.oracle, this.brand]) {
      await chain.airdrop(who.publicKey, 100n * SOL);
    }
  }
}

/** A campaign's asset: native SOL, or a fresh classic SPL Token mint. */
export type Asset = { kind: "sol" } | { kind: "spl"; mint: PublicKey; tokenProgram: PublicKey };

/** Creates a mint with no freeze authority (the mint policy refuses one) and mints `amount` to
 * `owner`'s associated token account. */
export async function createSplAsset(chain: Chain, payer: Keypair, owner: PublicKey, amount: bigint): Promise<Asset> {
  const mint = Keypair.generate();
  const tokenProgram = TOKEN_PROGRAM_ID;
  const ata = getAssociatedTokenAddressSync(mint.publicKey, owner, true, tokenProgram);
  await chain.send(
    [
      SystemProgram.createAccount({
        fromPubkey: payer.publicKey,
        newAccountPubkey: mint.publicKey,
        lamports: 10_000_000,
        space: MINT_SIZE,
        programId: tokenProgram,
      }),
      createInitializeMint2Instruction(mint.publicKey, 6, payer.publicKey, null, tokenProgram),
      createAssociatedTokenAccountIdempotentInstruction(payer.publicKey, ata, owner, mint.publicKey, tokenProgram),
      createMintToInstruction(mint.publicKey, ata, payer.publicKey, amount, [], tokenProgram),
    ],
    [payer, mint],
  );
  return { kind: "spl", mint: mint.publicKey, tokenProgram };
}

/** Where `wallet` receives value in a campaign of `asset`: itself, or its token account. */
export function receiver(asset: Asset, wallet: PublicKey): PublicKey {
  return asset.kind === "sol" ? wallet : getAssociatedTokenAddressSync(asset.mint, wallet, true, asset.tokenProgram);
}

/** The balance of `account` in `asset`'s units (lamports, or token base units). */
export async function balance(chain: Chain, asset: Asset, account: PublicKey): Promise<bigint> {
  if (asset.kind === "sol") return chain.lamports(account);
  const data = await chain.accountData(account);
  return data ? AccountLayout.decode(data).amount : 0n;
}

/** SHA-256 of a video's URL: the submission's content hash. */
export function contentHash(video: string): Buffer {
  return createHash("sha256").update(video.trim()).digest();
}

function i64(value: bigint | number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64LE(BigInt(value));
  return out;
}

/** The Ed25519 precompile instruction carrying the oracle's claim attestation (the layout of
 * programs/clipstake/src/attestation.rs: domain, program, campaign, submission,
 * registered_at, views, expiry). */
export function attestation(
  oracle: Keypair,
  campaign: PublicKey,
  submission: PublicKey,
  registeredAt: bigint | number,
  views: bigint,
  expiry: number,
): TransactionInstruction {
  const message = Buffer.concat([
    Buffer.from("clipstake:claim1"),
    PROGRAM_ID.toBuffer(),
    campaign.toBuffer(),
    submission.toBuffer(),
    i64(registeredAt),
    i64(views),
    i64(expiry),
  ]);
  return Ed25519Program.createInstructionWithPrivateKey({ privateKey: oracle.secretKey, message });
}
