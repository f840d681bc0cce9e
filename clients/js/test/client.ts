// The generated client builds real transactions: `fund_campaign` and an attested `claim` (with
// everything they need before them) are built with it, signed with @solana/kit and executed by
// the program's ELF on litesvm; the accounts are read back with the client's decoders.
import {
  Address,
  address,
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getAddressEncoder,
  getProgramDerivedAddress,
  getU64Encoder,
  Instruction,
  KeyPairSigner,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  signBytes,
  signTransactionMessageWithSigners,
  TransactionSigner,
} from "@solana/kit";
import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import { expect } from "chai";
import { createHash } from "crypto";
import { join } from "path";

import {
  CLIPSTAKE_PROGRAM_ADDRESS,
  decodeCampaign,
  decodeSubmission,
  findOracleRegistrationPda,
  findPlatformPda,
  getAddOracleInstructionAsync,
  getClaimInstruction,
  getCreateCampaignInstruction,
  getFundCampaignInstruction,
  getInitPlatformInstructionAsync,
  getRegisterSubmissionInstructionAsync,
} from "../src/generated";

const ELF = process.env.CLIPSTAKE_PROGRAM_SO ?? join(__dirname, "..", "..", "..", "target", "deploy", "clipstake.so");
const T0 = 1_800_000_000n;
const SOL = 1_000_000_000n;
const RATE = 1_000_000n;
const FEE_BPS = 500;
const UPGRADEABLE_LOADER = address("BPFLoaderUpgradeab1e11111111111111111111111");
const ED25519_PROGRAM = address("Ed25519SigVerify111111111111111111111111111");
const bytesOf = (a: Address) => getAddressEncoder().encode(a);

async function pda(seeds: (string | Uint8Array)[], program: Address = CLIPSTAKE_PROGRAM_ADDRESS): Promise<Address> {
  return (await getProgramDerivedAddress({ programAddress: program, seeds }))[0];
}

/** litesvm with the ELF deployed. */
function chain(): LiteSVM {
  const svm = new LiteSVM();
  svm.addProgramFromFile(CLIPSTAKE_PROGRAM_ADDRESS, ELF);
  return svm;
}

async function setUpgradeAuthority(svm: LiteSVM, authority: Address) {
  const programData = await pda([bytesOf(CLIPSTAKE_PROGRAM_ADDRESS)], UPGRADEABLE_LOADER);
  const account = svm.getAccount(programData);
  if (!account.exists) throw new Error("no program data account");
  const data = new Uint8Array(account.data);
  data[12] = 1; // ProgramData: u32 tag, u64 slot, Option<Pubkey> authority, ELF
  data.set(bytesOf(authority), 13);
  svm.setAccount({ ...account, data });
  const clock = svm.getClock();
  clock.unixTimestamp = T0;
  svm.setClock(clock);
  return programData;
}

/** Signs with every signer the instructions name and executes; the logs, or throws. */
async function send(svm: LiteSVM, payer: TransactionSigner, instructions: Instruction[]): Promise<string[]> {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const result = svm.sendTransaction(await signTransactionMessageWithSigners(message));
  svm.expireBlockhash();
  if (result instanceof FailedTransactionMetadata) {
    throw new Error(`${result.err()}\n${result.meta().logs().join("\n")}`);
  }
  return result.logs();
}

/** The Ed25519 precompile instruction over `message` by `signer`: one signature, key,
 * signature and message in its own data (instruction indexes u16::MAX = this instruction). */
async function ed25519(signer: KeyPairSigner, message: Uint8Array): Promise<Instruction> {
  const signature = await signBytes(signer.keyPair.privateKey, message);
  const header = new DataView(new ArrayBuffer(16));
  const [pubkeyAt, signatureAt, messageAt] = [16, 48, 112];
  header.setUint8(0, 1);
  header.setUint16(2, signatureAt, true);
  header.setUint16(4, 0xffff, true);
  header.setUint16(6, pubkeyAt, true);
  header.setUint16(8, 0xffff, true);
  header.setUint16(10, messageAt, true);
  header.setUint16(12, message.length, true);
  header.setUint16(14, 0xffff, true);
  const data = new Uint8Array(messageAt + message.length);
  data.set(new Uint8Array(header.buffer), 0);
  data.set(bytesOf(signer.address), pubkeyAt);
  data.set(signature, signatureAt);
  data.set(message, messageAt);
  return { programAddress: ED25519_PROGRAM, accounts: [], data };
}

const i64 = (v: bigint) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, v, true);
  return out;
};

describe("the Codama client (@solana/kit) against the program on litesvm", () => {
  it("funds a SOL campaign and pays a creator's attested claim", async () => {
    const [admin, payer, treasury, oracle, brand, creator] = await Promise.all(
      Array.from({ length: 6 }, () => generateKeyPairSigner()),
    );
    const svm = chain();
    const programData = await setUpgradeAuthority(svm, admin.address);
    for (const who of [admin, payer, treasury, oracle, brand]) svm.airdrop(who.address, lamports(100n * SOL));

    await send(svm, payer, [
      await getInitPlatformInstructionAsync({
        admin,
        payer,
        programData,
        treasury: treasury.address,
        feeBps: FEE_BPS,
        maxAffiliateBps: 2_000,
        minSettlementWindowSecs: 1,
        maxAttestationLifetimeSecs: 3_600,
      }),
      await getAddOracleInstructionAsync({ admin, payer, oracle: oracle.address }),
    ]);
    const [platform] = await findPlatformPda();
    const [oracleRegistration] = await findOracleRegistrationPda({ oracle: oracle.address });

    const campaign = await pda(["campaign", bytesOf(brand.address), getU64Encoder().encode(1n)]);
    const vault = await pda(["vault", bytesOf(campaign)]); // SOL_VAULT_SEED
    const budget = 500_000_000n;
    await send(svm, payer, [
      getCreateCampaignInstruction({
        brand,
        payer,
        platform,
        oracleRegistration,
        campaign,
        vault,
        campaignId: 1n,
        oracle: oracle.address,
        ratePerThousandViews: RATE,
        capPerSubmission: 100n * RATE,
        startTime: T0 - 1n,
        endTime: T0 + 3_600n,
        settlementWindowSecs: 60n,
      }),
    ]);
    // fund_campaign, built by the client.
    await send(svm, brand, [getFundCampaignInstruction({ funder: brand, platform, campaign, vault, amount: budget })]);
    const funded = decodeCampaign(svm.getAccount(campaign));
    expect(funded.exists && funded.data.funded).to.equal(budget);
    expect(svm.getBalance(vault)! >= budget).to.equal(true);

    const contentHash = createHash("sha256").update("https://v.example/kit").digest();
    const submission = await pda(["submission", bytesOf(campaign), contentHash]);
    await send(svm, payer, [
      await getRegisterSubmissionInstructionAsync({
        oracle,
        payer,
        platform,
        campaign,
        submission,
        contentHash,
        creator: creator.address,
        affiliate: null,
        affiliateBps: 0,
      }),
    ]);
    const registered = decodeSubmission(svm.getAccount(submission));
    if (!registered.exists) throw new Error("submission not registered");

    // claim, built by the client, behind the oracle's attestation of 20,000 views.
    const views = 20_000n;
    const expiry = T0 + 600n;
    const message = new Uint8Array([
      ...new TextEncoder().encode("clipstake:claim1"),
      ...bytesOf(CLIPSTAKE_PROGRAM_ADDRESS),
      ...bytesOf(campaign),
      ...bytesOf(submission),
      ...i64(registered.data.registeredAt),
      ...i64(views),
      ...i64(expiry),
    ]);
    const logs = await send(svm, payer, [
      await ed25519(oracle, message),
      getClaimInstruction({
        payer,
        platform,
        oracleRegistration,
        campaign,
        submission,
        vault,
        creator,
        treasury: treasury.address,
        cumulativeViews: views,
        expiry,
      }),
    ]);
    // The claim logged its `PayoutMade` event: Anchor's `Program data:` line, base64 of
    // sha256("event:PayoutMade")[..8] and the event's fields.
    const payoutMade = createHash("sha256").update("event:PayoutMade").digest().subarray(0, 8);
    const events = logs
      .filter((line) => line.startsWith("Program data: "))
      .map((line) => Buffer.from(line.slice("Program data: ".length), "base64").subarray(0, 8));
    expect(events.some((discriminator) => discriminator.equals(payoutMade))).to.equal(true);
    const gross = (views * RATE) / 1_000n;
    const fee = (gross * BigInt(FEE_BPS)) / 10_000n;
    expect(svm.getBalance(creator.address)).to.equal(gross - fee);
    const paid = decodeSubmission(svm.getAccount(submission));
    expect(paid.exists && paid.data.paidViews).to.equal(views);
  });
});
