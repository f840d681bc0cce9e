// The whole lifecycle through the IDL (`program.methods.x(...).accountsStrict(...)`), in SOL
// and in SPL tokens, on litesvm and on the local validator: platform init, oracle, campaign
// create and fund, register, disburse, claim with an Ed25519 attestation, withdraw after the
// settlement window, close. Accounts are decoded with the IDL's coder, events by name from
// the logs, and refused transactions are matched by the program error's name.
import { BN } from "@anchor-lang/core";
import { Keypair, PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { ASSOCIATED_TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { expect } from "chai";

import { Chain, LiteSvmChain, TransactionFailed } from "../src/chain";
import { errorName, event, fetchAccount, pdas, program, PROGRAM_ID } from "../src/clipstake";
import { Actors, Asset, attestation, balance, contentHash, createSplAsset, receiver, SOL } from "../src/fixtures";
import { startLocalnet } from "../src/localnet";
import { PROGRAM_SO } from "../src/paths";

const FEE_BPS = 500;
const RATE = 1_000_000n; // base units per 1,000 views
const BUDGET = 500_000_000n;
const SETTLEMENT_SECS = 2;
// Long enough for the validator to confirm the payouts before the campaign ends.
const CAMPAIGN_SECS = 10;
const INSTRUCTIONS_SYSVAR = new PublicKey("Sysvar1nstructions1111111111111111111111111");

const ENGINES = (process.env.CLIPSTAKE_TS_ENGINES ?? "litesvm,localnet").split(",");

async function startChain(engine: string, actors: Actors): Promise<Chain> {
  if (engine === "litesvm") return new LiteSvmChain(PROGRAM_ID, PROGRAM_SO, actors.admin.publicKey, 1_800_000_000);
  if (engine === "localnet") return startLocalnet(PROGRAM_SO, actors.admin.publicKey);
  throw new Error(`unknown engine ${engine} in CLIPSTAKE_TS_ENGINES (litesvm, localnet)`);
}

/** Sends and expects the program to refuse with the error called `name`. */
async function expectError(chain: Chain, ixs: TransactionInstruction[], signers: Keypair[], name: string) {
  try {
    await chain.send(ixs, signers);
  } catch (e) {
    if (!(e instanceof TransactionFailed)) throw e;
    expect(errorName(e.logs), e.message).to.equal(name);
    return;
  }
  expect.fail(`the transaction succeeded; expected ${name}`);
}

/** `ix` with `key` marked as a signer. */
function asSigner(ix: TransactionInstruction, key: PublicKey): TransactionInstruction {
  for (const meta of ix.keys) if (meta.pubkey.equals(key)) meta.isSigner = true;
  return ix;
}

/** One campaign of the story and what the test learnt about it. */
interface Run {
  asset: Asset;
  campaign: PublicKey;
  vault: PublicKey;
  endTime: number;
  pushed: { creator: PublicKey; submission: PublicKey };
  claimer: { creator: Keypair; submission: PublicKey };
  paidGross: bigint;
}

for (const engine of ENGINES) {
  describe(`clipstake on ${engine}`, function () {
    const actors = new Actors();
    const prog = program();
    const runs: Run[] = [];
    let chain: Chain;
    const platform = pdas.platform();

    before(async () => {
      chain = await startChain(engine, actors);
      await actors.fund(chain);
    });
    after(async () => chain && (await chain.stop()));

    const campaignOf = async (run: Run) => (await fetchAccount(chain, prog, "campaign", run.campaign))!;

    it("initialises the platform as the upgrade authority and registers the oracle", async () => {
      const { admin, payer, treasury, oracle } = actors;
      const init = await prog.methods
        .initPlatform({
          treasury: treasury.publicKey,
          feeBps: FEE_BPS,
          maxAffiliateBps: 2_000,
          minSettlementWindowSecs: new BN(1),
          maxAttestationLifetimeSecs: new BN(3_600),
        })
        .accountsStrict({
          admin: admin.publicKey,
          payer: payer.publicKey,
          platform,
          programData: pdas.programData(),
          systemProgram: SystemProgram.programId,
        })
        .instruction();
      const logs = await chain.send([init], [payer, admin]);
      expect(event(prog, logs, "platformInitialized").feeBps).to.equal(FEE_BPS);
      const settings = (await fetchAccount(chain, prog, "platform", platform))!;
      expect(settings.admin.toBase58()).to.equal(admin.publicKey.toBase58());
      expect(settings.treasury.toBase58()).to.equal(treasury.publicKey.toBase58());

      const add = await prog.methods
        .addOracle(oracle.publicKey)
        .accountsStrict({
          admin: admin.publicKey,
          payer: payer.publicKey,
          platform,
          oracleRegistration: pdas.oracle(oracle.publicKey),
          systemProgram: SystemProgram.programId,
        })
        .instruction();
      const added = event(prog, await chain.send([add], [payer, admin]), "oracleAdded");
      expect(added.oracle.toBase58()).to.equal(oracle.publicKey.toBase58());
    });

    it("refuses an oracle registration by anyone but the admin, by error name", async () => {
      const stranger = Keypair.generate();
      await chain.airdrop(stranger.publicKey, SOL);
      const add = await prog.methods
        .addOracle(stranger.publicKey)
        .accountsStrict({
          admin: stranger.publicKey,
          payer: stranger.publicKey,
          platform,
          oracleRegistration: pdas.oracle(stranger.publicKey),
          systemProgram: SystemProgram.programId,
        })
        .instruction();
      await expectError(chain, [add], [stranger], "NotPlatformAdmin");
    });

    it("creates and funds a SOL and an SPL campaign", async () => {
      const { brand, payer, oracle } = actors;
      const sol: Asset = { kind: "sol" };
      const spl = await createSplAsset(chain, payer, brand.publicKey, BUDGET);
      const now = await chain.now();
      for (const [index, asset] of [sol, spl].entries()) {
        const id = BigInt(index + 1);
        const campaign = pdas.campaign(brand.publicKey, id);
        const token = asset.kind === "spl" ? asset : null;
        const vault = token ? receiver(asset, campaign) : pdas.solVault(campaign);
        const create = await prog.methods
          .createCampaign({
            campaignId: new BN(id.toString()),
            oracle: oracle.publicKey,
            ratePerThousandViews: new BN(RATE.toString()),
            capPerSubmission: new BN((100n * RATE).toString()),
            startTime: new BN(now - 1),
            endTime: new BN(now + CAMPAIGN_SECS),
            settlementWindowSecs: new BN(SETTLEMENT_SECS),
          })
          .accountsStrict({
            brand: brand.publicKey,
            payer: payer.publicKey,
            platform,
            oracleRegistration: pdas.oracle(oracle.publicKey),
            campaign,
            vault,
            mint: token?.mint ?? null,
            trustedMint: token ? pdas.trustedMint(token.mint) : null,
            tokenProgram: token?.tokenProgram ?? null,
            associatedTokenProgram: token ? ASSOCIATED_TOKEN_PROGRAM_ID : null,
            systemProgram: SystemProgram.programId,
          })
          .instruction();
        const created = event(prog, await chain.send([create], [payer, brand]), "campaignCreated");
        expect(created.campaign.toBase58()).to.equal(campaign.toBase58());

        const fund = await prog.methods
          .fundCampaign(new BN(BUDGET.toString()))
          .accountsStrict({
            funder: brand.publicKey,
            platform,
            campaign,
            vault,
            funderTokenAccount: token ? receiver(asset, brand.publicKey) : null,
            mint: token?.mint ?? null,
            tokenProgram: token?.tokenProgram ?? null,
            systemProgram: SystemProgram.programId,
          })
          .instruction();
        const funded = event(prog, await chain.send([fund], [brand]), "campaignFunded");
        expect(BigInt(funded.received.toString())).to.equal(BUDGET);
        const run: Run = { asset, campaign, vault, endTime: now + CAMPAIGN_SECS, paidGross: 0n } as Run;
        runs.push(run);
        const state = await campaignOf(run);
        expect(BigInt(state.funded.toString())).to.equal(BUDGET);
        expect(state.vault.toBase58()).to.equal(vault.toBase58());
      }
    });

    it("registers two videos per campaign", async () => {
      const { oracle, payer } = actors;
      for (const run of runs) {
        const register = async (creator: PublicKey, video: string) => {
          const hash = contentHash(video);
          const submission = pdas.submission(run.campaign, hash);
          const ix = await prog.methods
            .registerSubmission({ contentHash: Array.from(hash), creator, affiliate: null, affiliateBps: 0 })
            .accountsStrict({
              oracle: oracle.publicKey,
              payer: payer.publicKey,
              platform,
              campaign: run.campaign,
              oracleRegistration: pdas.oracle(oracle.publicKey),
              submission,
              systemProgram: SystemProgram.programId,
            })
            .instruction();
          const registered = event(prog, await chain.send([ix], [payer, oracle]), "submissionRegistered");
          expect(registered.submission.toBase58()).to.equal(submission.toBase58());
          const state = (await fetchAccount(chain, prog, "submission", submission))!;
          expect(state.creator.toBase58()).to.equal(creator.toBase58());
          return submission;
        };
        const pushedCreator = Keypair.generate().publicKey;
        const claimer = Keypair.generate();
        const tag = run.asset.kind;
        run.pushed = { creator: pushedCreator, submission: await register(pushedCreator, `https://v.example/${tag}/1`) };
        run.claimer = { creator: claimer, submission: await register(claimer.publicKey, `https://v.example/${tag}/2`) };
      }
    });

    /** The accounts of a payout (`disburse` and `claim` share them). */
    const payoutAccounts = (run: Run, submission: PublicKey, creator: PublicKey) => {
      const token = run.asset.kind === "spl" ? run.asset : null;
      return {
        payer: actors.payer.publicKey,
        platform,
        oracleRegistration: pdas.oracle(actors.oracle.publicKey),
        campaign: run.campaign,
        submission,
        vault: run.vault,
        creator,
        creatorTokenAccount: token ? receiver(run.asset, creator) : null,
        affiliate: null,
        affiliateTokenAccount: null,
        treasury: actors.treasury.publicKey,
        treasuryTokenAccount: token ? receiver(run.asset, actors.treasury.publicKey) : null,
        mint: token?.mint ?? null,
        tokenProgram: token?.tokenProgram ?? null,
        associatedTokenProgram: token ? ASSOCIATED_TOKEN_PROGRAM_ID : null,
        systemProgram: SystemProgram.programId,
      };
    };

    /** Checks a payout of `views` (from zero) split into fee and creator share. */
    const expectPayout = async (run: Run, logs: string[], creator: PublicKey, views: bigint, before: bigint) => {
      const paid = event(prog, logs, "payoutMade");
      const gross = (views * RATE) / 1_000n;
      const fee = (gross * BigInt(FEE_BPS)) / 10_000n;
      expect(BigInt(paid.gross.toString())).to.equal(gross);
      expect(BigInt(paid.fee.toString())).to.equal(fee);
      expect(BigInt(paid.creatorAmount.toString())).to.equal(gross - fee);
      expect(await balance(chain, run.asset, receiver(run.asset, creator))).to.equal(before + gross - fee);
      run.paidGross += gross;
      return paid;
    };

    it("disburses the oracle's push to the first creator", async () => {
      for (const run of runs) {
        const { creator, submission } = run.pushed;
        const ix = await prog.methods
          .disburse(new BN(10_000))
          .accountsStrict({ oracle: actors.oracle.publicKey, payout: payoutAccounts(run, submission, creator) })
          .instruction();
        const logs = await chain.send([ix], [actors.payer, actors.oracle]);
        const paid = await expectPayout(run, logs, creator, 10_000n, 0n);
        expect(paid.claimed).to.equal(false);
        const state = (await fetchAccount(chain, prog, "submission", submission))!;
        expect(state.paidViews.toNumber()).to.equal(10_000);
      }
    });

    it("pays the second creator's claim against the oracle's Ed25519 attestation", async () => {
      for (const run of runs) {
        const { creator, submission } = run.claimer;
        const registeredAt = (await fetchAccount(chain, prog, "submission", submission))!.registeredAt;
        const expiry = (await chain.now()) + 600;
        // The creator signs a claim: the IDL cannot say so (the payout accounts are shared with
        // `disburse`), so the creator's account is marked a signer here, as the Rust SDK does.
        const claim = async (views: bigint) =>
          asSigner(
            await prog.methods
              .claim({ cumulativeViews: new BN(views.toString()), expiry: new BN(expiry) })
              .accountsStrict({ payout: payoutAccounts(run, submission, creator.publicKey), instructionsSysvar: INSTRUCTIONS_SYSVAR })
              .instruction(),
            creator.publicKey,
          );
        const signed = attestation(actors.oracle, run.campaign, submission, BigInt(registeredAt.toString()), 20_000n, expiry);
        // The attestation covers 20,000 views: a claim for more is refused.
        await expectError(chain, [signed, await claim(30_000n)], [actors.payer, creator], "AttestationMismatch");
        const forged = attestation(Keypair.generate(), run.campaign, submission, BigInt(registeredAt.toString()), 20_000n, expiry);
        await expectError(chain, [forged, await claim(20_000n)], [actors.payer, creator], "AttestationWrongSigner");
        const logs = await chain.send([signed, await claim(20_000n)], [actors.payer, creator]);
        const paid = await expectPayout(run, logs, creator.publicKey, 20_000n, 0n);
        expect(paid.claimed).to.equal(true);
      }
    });

    const withdraw = (run: Run, amount: bigint) => {
      const token = run.asset.kind === "spl" ? run.asset : null;
      return prog.methods
        .withdraw(new BN(amount.toString()))
        .accountsStrict({
          brand: actors.brand.publicKey,
          platform,
          campaign: run.campaign,
          vault: run.vault,
          brandTokenAccount: token ? receiver(run.asset, actors.brand.publicKey) : null,
          mint: token?.mint ?? null,
          tokenProgram: token?.tokenProgram ?? null,
        })
        .instruction();
    };

    it("ends the campaigns; the brand withdraws the rest only after the settlement window", async () => {
      const { brand } = actors;
      for (const run of runs) {
        const end = await prog.methods
          .setCampaignStatus({ ended: {} })
          .accountsStrict({ authority: brand.publicKey, platform, campaign: run.campaign })
          .instruction();
        const changed = event(prog, await chain.send([end], [brand]), "campaignStatusChanged");
        expect(changed.status).to.deep.equal({ ended: {} });
        await expectError(chain, [await withdraw(run, 1n)], [brand], "SettlementWindowOpen");
      }
      const latestEnd = Math.max(...runs.map((r) => r.endTime));
      await chain.waitUntil(latestEnd + SETTLEMENT_SECS + 1);
      for (const run of runs) {
        const rest = BUDGET - run.paidGross;
        await expectError(chain, [await withdraw(run, rest + 1n)], [brand], "WithdrawExceedsAvailable");
        const before = await balance(chain, run.asset, receiver(run.asset, brand.publicKey));
        const logs = await chain.send([await withdraw(run, rest)], [brand]);
        expect(BigInt(event(prog, logs, "campaignWithdrawn").amount.toString())).to.equal(rest);
        const after = await balance(chain, run.asset, receiver(run.asset, brand.publicKey));
        // A SOL brand also pays the transaction fee from the wallet that receives.
        expect(after - before <= rest && after - before >= rest - 10_000n, `${after - before} of ${rest}`).to.equal(true);
      }
    });

    it("closes the submissions and the campaigns, returning every account's rent", async () => {
      const { brand, payer } = actors;
      for (const run of runs) {
        for (const submission of [run.pushed.submission, run.claimer.submission]) {
          const ix = await prog.methods
            .closeSubmission()
            .accountsStrict({ authority: brand.publicKey, platform, campaign: run.campaign, submission, rentPayer: payer.publicKey })
            .instruction();
          event(prog, await chain.send([ix], [brand]), "submissionClosed");
          expect(await chain.accountData(submission)).to.equal(null);
        }
        const token = run.asset.kind === "spl" ? run.asset : null;
        const close = await prog.methods
          .closeCampaign()
          .accountsStrict({
            brand: brand.publicKey,
            campaign: run.campaign,
            vault: run.vault,
            rentPayer: payer.publicKey,
            mint: token?.mint ?? null,
            tokenProgram: token?.tokenProgram ?? null,
          })
          .instruction();
        const closed = event(prog, await chain.send([close], [brand]), "campaignClosed");
        expect(BigInt(closed.paidGross.toString())).to.equal(run.paidGross);
        expect(BigInt(closed.withdrawn.toString())).to.equal(BUDGET - run.paidGross);
        expect(await chain.accountData(run.campaign)).to.equal(null);
        expect(await chain.lamports(run.vault)).to.equal(0n);
      }
    });
  });
}
