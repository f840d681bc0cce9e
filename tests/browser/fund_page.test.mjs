// The campaign page of `clipstake actions serve` in Debian's headless Chromium: a test wallet
// registers through Wallet Standard, the page finds it, connects, asks the fund action for a
// transaction, the wallet signs and sends it to clipstake-localnet, and the vault balance is
// read back over JSON-RPC. A refused amount shows the server's message and moves nothing.
//
// Needs the `clipstake` and `clipstake-localnet` binaries (CLIPSTAKE_BIN_DIR, default
// $CARGO_TARGET_DIR/debug) and the program ELF (target/deploy/clipstake.so); `make
// browser-tests` builds what is missing. CLIPSTAKE_SCREENSHOT=<png> also saves the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');
const binDir = process.env.CLIPSTAKE_BIN_DIR ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache/clipstake/target-host'), 'debug');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipstake-browser-'));
const children = [];

// Chromium flags that work on a closed network (no background connections, no sandbox as root).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes) {
  let n = [...bytes].reduce((acc, b) => acc * 256n + BigInt(b), 0n);
  let out = '';
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n; }
  for (const b of bytes) { if (b !== 0) break; out = '1' + out; }
  return out;
}

// A keypair, written as the Solana CLI's JSON file (seed then public key).
function keypair(name) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  const file = path.join(work, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify([...seed, ...pub]));
  return { file, privateKey, publicKey: pub, address: base58(pub) };
}

// Starts a child and resolves with the first stderr line matching `pattern`.
function startUntil(command, args, pattern) {
  const child = spawn(command, args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      const found = line.match(pattern);
      if (found) resolve(found[1]);
      else process.stderr.write(`${path.basename(command)}: ${line}\n`);
    });
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready`)));
  });
}

async function startLocalnet(admin, funded) {
  const ready = path.join(work, 'ready');
  const args = ['--program', path.join(root, 'target/deploy/clipstake.so'), '--upgrade-authority', admin.file,
    '--rpc-port', '0', '--ws-port', '0', '--slot-time-ms', '100', '--ready-file', ready,
    ...funded.flatMap((k) => ['--airdrop', k.address])];
  const child = spawn(path.join(binDir, 'clipstake-localnet'), args, { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
    if (fs.existsSync(ready)) return fs.readFileSync(ready, 'utf8').trim();
    if (child.exitCode !== null) throw new Error(`clipstake-localnet exited (${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('clipstake-localnet was not ready in 90 s');
}

function clipstake(url, signer, args) {
  const out = execFileSync(path.join(binDir, 'clipstake'),
    ['-u', url, '--commitment', 'confirmed', '-k', signer.file, '--output', 'json', ...args],
    { cwd: work, env: { ...process.env, HOME: work } });
  return JSON.parse(out);
}

async function rpc(url, method, params) {
  const answer = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = await answer.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

// The wallet's side of signAndSendTransaction: checks its own signature is the only one the
// transaction needs, signs the message, sends it and waits until it is confirmed.
async function signAndSend(url, wallet, transactionBase64) {
  const bytes = Buffer.from(transactionBase64, 'base64');
  const signatures = bytes[0];
  const message = bytes.subarray(1 + 64 * signatures);
  const signer = base58(message.subarray(4, 36));
  assert.equal(signatures, 1, 'one signature: the funder\'s');
  assert.equal(message[0], 1, 'one required signer');
  assert.equal(signer, wallet.address, 'the wallet is the fee payer');
  const signature = crypto.sign(null, message, wallet.privateKey);
  signature.copy(bytes, 1);
  const sent = await rpc(url, 'sendTransaction', [bytes.toString('base64'), { encoding: 'base64', preflightCommitment: 'confirmed' }]);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const [status] = (await rpc(url, 'getSignatureStatuses', [[sent]])).value;
    if (status?.err) throw new Error(`the transaction failed: ${JSON.stringify(status.err)}`);
    if (status && status.confirmationStatus !== 'processed') return signature.toString('base64');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('not confirmed in 60 s');
}

// Runs in the page before its scripts: a wallet registered through Wallet Standard's
// register-wallet / app-ready handshake, signing through the test's `signAndSend`.
function registerTestWallet({ address, publicKey }) {
  const chains = ['solana:localnet'];
  const account = Object.freeze({ address, publicKey: new Uint8Array(publicKey), chains,
    features: ['solana:signAndSendTransaction'] });
  const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const wallet = {
    version: '1.0.0', name: 'ClipStake Test Wallet', chains, accounts: [account],
    icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=',
    features: {
      'standard:connect': { version: '1.0.0', connect: async () => ({ accounts: [account] }) },
      'standard:events': { version: '1.0.0', on: () => () => {} },
      'solana:signAndSendTransaction': {
        version: '1.0.0', supportedTransactionVersions: ['legacy', 0],
        signAndSendTransaction: (...inputs) => Promise.all(inputs.map(async (input) => {
          if (input.account.address !== address) throw new Error('unknown account');
          const b64 = btoa(String.fromCharCode(...input.transaction));
          return { signature: fromBase64(await window.clipstakeTestWalletSignAndSend(b64)) };
        })),
      },
    },
  };
  const callback = (api) => api.register(wallet);
  window.addEventListener('wallet-standard:app-ready', (event) => callback(event.detail));
  window.dispatchEvent(new CustomEvent('wallet-standard:register-wallet', { detail: callback }));
}

let url, server, campaign, wallet, browser;

before(async () => {
  const [admin, brand, oracle] = ['admin', 'brand', 'oracle'].map(keypair);
  wallet = keypair('wallet');
  url = await startLocalnet(admin, [brand, oracle, wallet]);
  clipstake(url, admin, ['platform', 'init', '--fee-bps', '250', '--oracle', oracle.address]);
  campaign = clipstake(url, brand, ['campaign', 'create', '--rate', '0.001', '--cap', '0.5',
    '--oracle', oracle.address]).address;
  server = await startUntil(path.join(binDir, 'clipstake'),
    ['-u', url, '-k', oracle.file, 'actions', 'serve', '--listen', '127.0.0.1:0', '--no-claims'],
    /^listening on (http:\/\/\S+?)\/?$/);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const child of children) child.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
});

test('a brand funds a campaign from a Wallet Standard wallet on the campaign page', async () => {
  const page = await browser.newPage();
  page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
  await page.exposeFunction('clipstakeTestWalletSignAndSend', (b64) => signAndSend(url, wallet, b64));
  await page.addInitScript(registerTestWallet, { address: wallet.address, publicKey: [...wallet.publicKey] });
  await page.goto(`${server}/campaign/${campaign}`);
  await page.waitForFunction(() => document.getElementById('vault').textContent !== '');
  assert.equal(await page.textContent('#vault'), '0 SOL');
  await page.getByRole('button', { name: 'Connect ClipStake Test Wallet' }).click();
  await page.getByText(`Connected: ClipStake Test Wallet, ${wallet.address}`).waitFor();

  // A refused amount: the server's message, nothing signed or moved.
  await page.fill('#amount', '0');
  await page.click('#fund-button');
  await page.locator('#message.error').waitFor();
  assert.match(await page.textContent('#message'), /Not funded: the amount must be above zero/);

  const before = clipstake(url, wallet, ['campaign', 'show', campaign]);
  const walletBefore = (await rpc(url, 'getBalance', [wallet.address, { commitment: 'confirmed' }])).value;
  await page.fill('#amount', '3.25');
  await page.click('#fund-button');
  await page.locator('#message.ok, #message.error').waitFor({ timeout: 90_000 });
  assert.match(await page.textContent('#message'), /^Funded: the vault holds 3\.25 SOL \(transaction \w{64,88}\)$/);
  assert.equal(await page.textContent('#vault'), '3.25 SOL');

  const after = clipstake(url, wallet, ['campaign', 'show', campaign]);
  const vault = after.vault_balance.base_units;
  assert.equal(vault - before.vault_balance.base_units, 3_250_000_000, 'the vault received 3.25 SOL');
  assert.equal(after.funded.base_units, 3_250_000_000);
  // Read the vault account itself, not only the program's books.
  const lamports = (await rpc(url, 'getBalance', [after.vault, { commitment: 'confirmed' }])).value;
  assert.ok(lamports >= 3_250_000_000, `vault account holds ${lamports}`);
  const walletAfter = (await rpc(url, 'getBalance', [wallet.address, { commitment: 'confirmed' }])).value;
  const spent = walletBefore - walletAfter;
  assert.ok(spent >= 3_250_000_000 && spent <= 3_250_010_000, `the wallet paid the amount and a fee: ${spent}`);

  if (process.env.CLIPSTAKE_SCREENSHOT) {
    await page.setViewportSize({ width: 900, height: 860 });
    await page.screenshot({ path: path.resolve(root, process.env.CLIPSTAKE_SCREENSHOT), fullPage: true });
  }
});
