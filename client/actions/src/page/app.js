// The campaign page: shows the campaign and funds it from a wallet found through Wallet
// Standard. The app side of Wallet Standard's discovery is two events: wallets that loaded
// first answer our `app-ready`, later ones announce themselves with `register-wallet`.
const $ = (id) => document.getElementById(id);
const campaign = location.pathname.match(/^\/campaign\/([1-9A-HJ-NP-Za-km-z]{32,44})\/?$/)?.[1];
const wallets = [];
let info = null;
let connected = null;

function register(...found) {
  for (const wallet of found) if (!wallets.includes(wallet)) wallets.push(wallet);
  renderWallets();
  return () => {};
}
const api = Object.freeze({ register });
window.addEventListener('wallet-standard:register-wallet', (event) => event.detail(api));
window.dispatchEvent(new CustomEvent('wallet-standard:app-ready', { detail: api }));

// A wallet that can connect and sign and send on this campaign's chain.
function usable(wallet) {
  const chain = info?.wallet_chain;
  return wallet.features['standard:connect'] && wallet.features['solana:signAndSendTransaction'] &&
    (!chain || wallet.chains.includes(chain));
}

function renderWallets() {
  const box = $('wallets');
  if (!info || connected) return;
  const list = wallets.filter(usable);
  box.replaceChildren();
  if (list.length === 0) {
    box.textContent = `No wallet for ${info.wallet_chain} found: install one (Phantom, Solflare, Backpack...).`;
    return;
  }
  for (const wallet of list) {
    const button = document.createElement('button');
    button.textContent = `Connect ${wallet.name}`;
    button.onclick = () => connect(wallet);
    box.append(button);
  }
}

async function connect(wallet) {
  try {
    const { accounts } = await wallet.features['standard:connect'].connect();
    if (!accounts.length) throw new Error('the wallet shared no account');
    connected = { wallet, account: accounts[0] };
    $('wallets').replaceChildren();
    $('account').hidden = false;
    $('account').textContent = `Connected: ${wallet.name}, ${accounts[0].address}`;
    $('fund-button').disabled = !!info.closed;
  } catch (error) {
    say(`Could not connect: ${error.message}`, 'error');
  }
}

function say(text, kind = '') {
  $('message').textContent = text;
  $('message').className = kind;
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes) {
  let n = bytes.reduce((acc, b) => acc * 256n + BigInt(b), 0n);
  let out = '';
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n; }
  for (const b of bytes) { if (b !== 0) break; out = '1' + out; }
  return out;
}

async function fund() {
  const amount = $('amount').value.trim();
  $('fund-button').disabled = true;
  try {
    say('Asking the server for the transaction…');
    const url = `${info.fund_action}?amount=${encodeURIComponent(amount)}`;
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ account: connected.account.address }),
    });
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.message);
    say(`${body.message}: approve it in ${connected.wallet.name}…`);
    const before = info.vault_base_units;
    const [{ signature }] = await connected.wallet.features['solana:signAndSendTransaction']
      .signAndSendTransaction({
        account: connected.account,
        chain: info.wallet_chain,
        transaction: fromBase64(body.transaction),
      });
    say(`Sent ${base58(signature)}; waiting for the vault…`);
    await waitForVault(before);
    say(`Funded: the vault holds ${$('vault').textContent} (transaction ${base58(signature)})`, 'ok');
  } catch (error) {
    say(`Not funded: ${error.message}`, 'error');
  } finally {
    $('fund-button').disabled = !!info.closed;
  }
}

async function waitForVault(before) {
  for (let i = 0; i < 120; i++) {
    await load();
    if (info.vault_base_units !== before) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the vault did not change within a minute: check the transaction');
}

async function load() {
  const answer = await fetch(`/api/campaign/${campaign}`);
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.message);
  info = body;
  const unit = info.asset === 'sol' ? ' SOL' : ' tokens';
  $('loading').hidden = true;
  $('fields').hidden = false;
  $('address').textContent = info.address;
  $('unit').textContent = info.unit;
  $('state').textContent = info.closed ? `${info.status}; closed to funding: ${info.closed}` : info.status;
  $('vault').textContent = info.vault_balance + unit;
  $('funded').textContent = info.funded + unit;
  $('paid').textContent = info.paid_to_creators + unit;
  $('action-url').textContent = `solana-action:${info.fund_action}`;
  $('pay-url').textContent = info.solana_pay_fund_10;
  $('fund').hidden = false;
  $('links').hidden = false;
}

$('fund-button').onclick = fund;
if (campaign) {
  load().then(renderWallets, (error) => { $('loading').textContent = error.message; });
}
