// The two engines the suite runs on, behind one small interface: the npm litesvm engine in
// process, and the workspace's local validator over JSON-RPC.
import {
  Connection,
  Keypair,
  PublicKey,
  SendTransactionError,
  SYSVAR_CLOCK_PUBKEY,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
import { address, getTransactionDecoder } from "@solana/kit";
import { FailedTransactionMetadata, LiteSVM } from "litesvm";


/** A transaction the chain refused, with the program logs that explain why. */
export class TransactionFailed extends Error {
  constructor(message: string, readonly logs: string[]) {
    super(`${message}\n${logs.join("\n")}`);
  }
}

/** What the suite needs from a chain. */
export interface Chain {
  readonly name: string;
  /** Sends one transaction paid by `signers[0]`; its logs, or throws `TransactionFailed`. */
  send(instructions: TransactionInstruction[], signers: Keypair[]): Promise<string[]>;
  /** The data of the account at `address`, or null when it does not exist. */
  accountData(address: PublicKey): Promise<Buffer | null>;
  lamports(address: PublicKey): Promise<bigint>;
  airdrop(address: PublicKey, lamports: bigint): Promise<void>;
  /** The chain's clock (the Clock sysvar's unix timestamp). */
  now(): Promise<number>;
  /** Returns once the chain's clock has reached `unixTime`. */
  waitUntil(unixTime: number): Promise<void>;
  stop(): Promise<void>;
}

/** The Clock sysvar's `unix_timestamp` (after slot, epoch start, epoch, leader epoch). */
function clockTime(data: Buffer): number {
  return Number(data.readBigInt64LE(32));
}

const UPGRADEABLE_LOADER = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

/** The in-process litesvm engine with the ELF deployed and `upgradeAuthority` set on it. */
export class LiteSvmChain implements Chain {
  readonly name = "litesvm";
  private readonly svm = new LiteSVM();

  constructor(programId: PublicKey, elfPath: string, upgradeAuthority: PublicKey, startTime: number) {
    this.svm.addProgramFromFile(address(programId.toBase58()), elfPath);
    this.setUpgradeAuthority(programId, upgradeAuthority);
    this.setTime(startTime);
  }

  /** As after `solana program deploy`: litesvm deploys with no upgrade authority. */
  private setUpgradeAuthority(programId: PublicKey, authority: PublicKey) {
    const [programData] = PublicKey.findProgramAddressSync([programId.toBuffer()], UPGRADEABLE_LOADER);
    const account = this.svm.getAccount(address(programData.toBase58()));
    if (!account.exists) throw new Error("litesvm did not create the program data account");
    // ProgramData: u32 tag 3, u64 slot, Option<Pubkey> upgrade authority, then the ELF.
    const data = new Uint8Array(account.data);
    data[12] = 1;
    data.set(authority.toBytes(), 13);
    this.svm.setAccount({ ...account, data });
  }

  private setTime(unixTime: number) {
    const clock = this.svm.getClock();
    clock.unixTimestamp = BigInt(unixTime);
    this.svm.setClock(clock);
  }

  async send(instructions: TransactionInstruction[], signers: Keypair[]): Promise<string[]> {
    const tx = new Transaction({ feePayer: signers[0].publicKey, recentBlockhash: this.svm.latestBlockhash() });
    tx.add(...instructions).sign(...signers);
    const result = this.svm.sendTransaction(getTransactionDecoder().decode(tx.serialize()));
    this.svm.expireBlockhash();
    if (result instanceof FailedTransactionMetadata) {
      throw new TransactionFailed(String(result.err()), result.meta().logs());
    }
    return result.logs();
  }

  async accountData(address_: PublicKey): Promise<Buffer | null> {
    const account = this.svm.getAccount(address(address_.toBase58()));
    return account.exists ? Buffer.from(account.data) : null;
  }

  async lamports(address_: PublicKey): Promise<bigint> {
    return this.svm.getBalance(address(address_.toBase58())) ?? 0n;
  }

  async airdrop(address_: PublicKey, lamports: bigint): Promise<void> {
    const result = this.svm.airdrop(address(address_.toBase58()), lamports as never);
    if (result instanceof FailedTransactionMetadata) throw new Error(`airdrop: ${result.err()}`);
  }

  async now(): Promise<number> {
    return Number(this.svm.getClock().unixTimestamp);
  }

  async waitUntil(unixTime: number): Promise<void> {
    if ((await this.now()) < unixTime) this.setTime(unixTime);
  }

  async stop(): Promise<void> {}
}

const CONFIRM_TIMEOUT_MS = 30_000;

/** A chain behind a JSON-RPC URL (the local validator). */
export class RpcChain implements Chain {
  readonly name: string;
  readonly connection: Connection;

  constructor(name: string, url: string, private readonly onStop: () => Promise<void>) {
    this.name = name;
    this.connection = new Connection(url, "confirmed");
  }

  async send(instructions: TransactionInstruction[], signers: Keypair[]): Promise<string[]> {
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash();
    const tx = new Transaction({ feePayer: signers[0].publicKey, blockhash, lastValidBlockHeight });
    tx.add(...instructions).sign(...signers);
    let signature: string;
    try {
      signature = await this.connection.sendRawTransaction(tx.serialize());
    } catch (e) {
      if (e instanceof SendTransactionError) {
        throw new TransactionFailed(e.message, (await e.getLogs(this.connection)) ?? []);
      }
      throw e;
    }
    await this.confirm(signature);
    const sent = await this.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const logs = sent?.meta?.logMessages ?? [];
    if (sent?.meta?.err) throw new TransactionFailed(JSON.stringify(sent.meta.err), logs);
    return logs;
  }

  async accountData(address: PublicKey): Promise<Buffer | null> {
    return (await this.connection.getAccountInfo(address))?.data ?? null;
  }

  async lamports(address: PublicKey): Promise<bigint> {
    return BigInt(await this.connection.getBalance(address));
  }

  async airdrop(address: PublicKey, lamports: bigint): Promise<void> {
    await this.confirm(await this.connection.requestAirdrop(address, Number(lamports)));
  }

  /** Polls the signature's status: the validator's WebSocket port is not the RPC port + 1 that
   * web3.js's subscription-based confirmation assumes. */
  private async confirm(signature: string): Promise<void> {
    const deadline = Date.now() + CONFIRM_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const { value } = await this.connection.getSignatureStatuses([signature]);
      const status = value[0];
      if (status?.err) return; // the caller reads the error and logs from the transaction
      if (status?.confirmationStatus === "confirmed" || status?.confirmationStatus === "finalized") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${signature} was not confirmed in ${CONFIRM_TIMEOUT_MS / 1000} s`);
  }

  async now(): Promise<number> {
    const clock = await this.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
    if (!clock) throw new Error("the Clock sysvar is missing");
    return clockTime(clock.data);
  }

  async waitUntil(unixTime: number): Promise<void> {
    while ((await this.now()) < unixTime) await new Promise((r) => setTimeout(r, 200));
  }

  async stop(): Promise<void> {
    await this.onStop();
  }
}
