// Migrations are an early feature. Currently, they're nothing more than this
// single deploy script that's invoked from the CLI, injecting a provider
// configured from the workspace's Anchor.toml.
//
// ClipStake needs no post-deploy step: the platform is initialised with
// `clipstake platform init` (see the root README). The oracle ledger's SQL
// migrations live in client/oracle/migrations, compiled into that crate.

import * as anchor from "@coral-xyz/anchor";

module.exports = async function (provider: anchor.AnchorProvider) {
  // Configure client to use the provider.
  anchor.setProvider(provider);

  // Add your deploy script here.
};
