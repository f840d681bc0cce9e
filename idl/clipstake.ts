/**
 * Program IDL in camelCase format in order to be used in JS/TS.
 *
 * Note that this is only a type helper and is not the actual IDL. The original
 * IDL can be found at `target/idl/clipstake.json`.
 */
export type Clipstake = {
  "address": "BhwAnntTUnMaD86vuaRPNR1qxtgt9Q4Ph8Ek6NdRJAnX",
  "metadata": {
    "name": "clipstake",
    "version": "0.1.0",
    "spec": "0.1.0",
    "description": "ClipStake: campaign escrow paying video creators for verified views",
    "repository": "https://github.com/clipstake/clipstake"
  },
  "instructions": [
    {
      "name": "acceptAdmin",
      "discriminator": [
        112,
        42,
        45,
        90,
        116,
        181,
        13,
        170
      ],
      "accounts": [
        {
          "name": "newAdmin",
          "docs": [
            "The admin proposed by `update_platform` (a key or a multisig vault)."
          ],
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "The platform settings."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  112,
                  108,
                  97,
                  116,
                  102,
                  111,
                  114,
                  109
                ]
              }
            ]
          }
        }
      ],
      "args": []
    },
    {
      "name": "addOracle",
      "discriminator": [
        185,
        165,
        165,
        167,
        208,
        207,
        55,
        35
      ],
      "accounts": [
        {
          "name": "admin",
          "docs": [
            "The platform admin."
          ],
          "signer": true,
          "relations": [
            "platform"
          ]
        },
        {
          "name": "payer",
          "docs": [
            "Pays the registration's rent."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "The platform settings, naming the admin."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  112,
                  108,
                  97,
                  116,
                  102,
                  111,
                  114,
                  109
                ]
              }
            ]
          }
        },
        {
          "name": "oracleRegistration",
          "docs": [
            "The new registration. `init` refuses a key registered before, revoked ones included:",
            "re-adding a revoked key would revive its outstanding attestations."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  111,
                  114,
                  97,
                  99,
                  108,
                  101
                ]
              },
              {
                "kind": "arg",
                "path": "oracle"
              }
            ]
          }
        },
        {
          "name": "systemProgram",
          "docs": [
            "Creates the registration."
          ],
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "oracle",
          "type": "pubkey"
        }
      ]
    },
    {
      "name": "claim",
      "discriminator": [
        62,
        198,
        214,
        193,
        213,
        159,
        108,
        210
      ],
      "accounts": [
        {
          "name": "instructionsSysvar",
          "docs": [
            "instruction just before this one."
          ],
          "address": "Sysvar1nstructions1111111111111111111111111"
        },
        {
          "name": "payout",
          "accounts": [
            {
              "name": "payer",
              "docs": [
                "Pays rent for any recipient token account that has to be created."
              ],
              "writable": true,
              "signer": true
            },
            {
              "name": "platform",
              "docs": [
                "Platform settings, for the global pause. The owner and discriminator checks suffice:",
                "`init_platform` can only ever create one Platform account (a fixed-seed PDA)."
              ]
            },
            {
              "name": "oracleRegistration",
              "docs": [
                "`OracleRegistration::check_active` (owner, discriminator, the key it stores equal to",
                "`campaign.oracle`, active): a revoked oracle's pushes and attestations pay nothing."
              ]
            },
            {
              "name": "campaign",
              "docs": [
                "The campaign paying out. `dup`: it is the only account here written back on exit, so",
                "no other field could alias it into a double write (recipients are kept off it by",
                "`validate`), and Anchor's duplicate-mutable-account check, a SipHash set built per",
                "instruction, costs about 1,800 compute units for nothing."
              ],
              "writable": true,
              "relations": [
                "submission"
              ]
            },
            {
              "name": "submission",
              "docs": [
                "The video being paid; its watermark is the receipt. Zero-copy: read and written in",
                "place."
              ],
              "writable": true
            },
            {
              "name": "vault",
              "writable": true
            },
            {
              "name": "creator",
              "docs": [
                "SOL campaign and owns `creator_token_account` in a token campaign."
              ],
              "writable": true
            },
            {
              "name": "affiliate",
              "docs": [
                "against `submission.affiliate` in `validate`."
              ],
              "writable": true,
              "optional": true
            },
            {
              "name": "treasury",
              "writable": true
            },
            {
              "name": "creatorTokenAccount",
              "docs": [
                "`AtaCreator::ensure`."
              ],
              "writable": true,
              "optional": true
            },
            {
              "name": "affiliateTokenAccount",
              "docs": [
                "created by `AtaCreator::ensure`."
              ],
              "writable": true,
              "optional": true
            },
            {
              "name": "treasuryTokenAccount",
              "docs": [
                "`AtaCreator::ensure`."
              ],
              "writable": true,
              "optional": true
            },
            {
              "name": "mint",
              "optional": true
            },
            {
              "name": "tokenProgram",
              "docs": [
                "The campaign's token program (token campaigns only), checked against",
                "`campaign.token_program`."
              ],
              "optional": true
            },
            {
              "name": "associatedTokenProgram",
              "docs": [
                "Creates missing recipient token accounts (token campaigns only)."
              ],
              "optional": true,
              "address": "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
            },
            {
              "name": "systemProgram",
              "docs": [
                "Needed by the associated token program to create accounts (token campaigns only)."
              ],
              "optional": true,
              "address": "11111111111111111111111111111111"
            }
          ]
        }
      ],
      "args": [
        {
          "name": "args",
          "type": {
            "defined": {
              "name": "claimArgs"
            }
          }
        }
      ]
    },
    {
      "name": "closeCampaign",
      "discriminator": [
        65,
        49,
        110,
        7,
        63,
        238,
        206,
        77
      ],
      "accounts": [
        {
          "name": "brand",
          "docs": [
            "The campaign's brand."
          ],
          "signer": true,
          "relations": [
            "campaign"
          ]
        },
        {
          "name": "campaign",
          "docs": [
            "The campaign to close; its rent goes back to whoever paid it."
          ],
          "writable": true
        },
        {
          "name": "vault",
          "writable": true
        },
        {
          "name": "rentPayer",
          "writable": true,
          "relations": [
            "campaign"
          ]
        },
        {
          "name": "mint",
          "docs": [
            "because Token-2022 fees withheld in the vault are harvested into it before closing."
          ],
          "writable": true,
          "optional": true
        },
        {
          "name": "tokenProgram",
          "docs": [
            "The campaign's token program (token campaigns), checked against",
            "`campaign.token_program`."
          ],
          "optional": true
        }
      ],
      "args": []
    },
    {
      "name": "closeSubmission",
      "discriminator": [
        204,
        237,
        166,
        65,
        57,
        7,
        11,
        105
      ],
      "accounts": [
        {
          "name": "authority",
          "docs": [
            "The campaign's brand or oracle."
          ],
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "Platform settings: platform pauses moved the final deadline.",
            "(The type check suffices: `init_platform` can only create the one fixed-seed Platform.)"
          ]
        },
        {
          "name": "campaign",
          "docs": [
            "The submission's campaign."
          ],
          "writable": true,
          "relations": [
            "submission"
          ]
        },
        {
          "name": "submission",
          "docs": [
            "The submission to close; its rent goes back to whoever paid it."
          ],
          "writable": true
        },
        {
          "name": "rentPayer",
          "writable": true,
          "relations": [
            "submission"
          ]
        }
      ],
      "args": []
    },
    {
      "name": "createCampaign",
      "discriminator": [
        111,
        131,
        187,
        98,
        160,
        193,
        114,
        244
      ],
      "accounts": [
        {
          "name": "brand",
          "docs": [
            "The brand that owns the campaign."
          ],
          "signer": true
        },
        {
          "name": "payer",
          "docs": [
            "Pays rent for the campaign and its vault (may differ from the brand: gas sponsorship)."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "Platform settings, copied into the campaign.",
            "(The type check suffices: `init_platform` can only create the one fixed-seed Platform.)"
          ]
        },
        {
          "name": "oracleRegistration",
          "docs": [
            "The registration of `args.oracle`, at its `[\"oracle\", key]` address; it must be active."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  111,
                  114,
                  97,
                  99,
                  108,
                  101
                ]
              },
              {
                "kind": "arg",
                "path": "args.oracle"
              }
            ]
          }
        },
        {
          "name": "campaign",
          "docs": [
            "The new campaign."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  99,
                  97,
                  109,
                  112,
                  97,
                  105,
                  103,
                  110
                ]
              },
              {
                "kind": "account",
                "path": "brand"
              },
              {
                "kind": "arg",
                "path": "args.campaign_id"
              }
            ]
          }
        },
        {
          "name": "vault",
          "docs": [
            "is the campaign's ATA for the mint; for SOL `validate` checks it is the `[\"vault\",",
            "campaign]` PDA."
          ],
          "writable": true
        },
        {
          "name": "mint",
          "docs": [
            "`token_program` and applies the mint policy unless the issuer is trusted."
          ],
          "optional": true
        },
        {
          "name": "trustedMint",
          "docs": [
            "exist. `mint_is_trusted` counts it only when it is a `TrustedMint` of this program (owner",
            "and discriminator) for this very mint, which only `trust_mint` can create."
          ],
          "optional": true
        },
        {
          "name": "tokenProgram",
          "docs": [
            "SPL Token or Token-2022, absent for native SOL."
          ],
          "optional": true
        },
        {
          "name": "associatedTokenProgram",
          "docs": [
            "Creates the token vault, absent for native SOL."
          ],
          "optional": true,
          "address": "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
        },
        {
          "name": "systemProgram",
          "docs": [
            "Creates the accounts."
          ],
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "args",
          "type": {
            "defined": {
              "name": "createCampaignArgs"
            }
          }
        }
      ]
    },
    {
      "name": "disburse",
      "discriminator": [
        68,
        250,
        205,
        89,
        217,
        142,
        13,
        44
      ],
      "accounts": [
        {
          "name": "oracle",
          "docs": [
            "The campaign's oracle, vouching for the view count."
          ],
          "signer": true
        },
        {
          "name": "payout",
          "accounts": [
            {
              "name": "payer",
              "docs": [
                "Pays rent for any recipient token account that has to be created."
              ],
              "writable": true,
              "signer": true
            },
            {
              "name": "platform",
              "docs": [
                "Platform settings, for the global pause. The owner and discriminator checks suffice:",
                "`init_platform` can only ever create one Platform account (a fixed-seed PDA)."
              ]
            },
            {
              "name": "oracleRegistration",
              "docs": [
                "`OracleRegistration::check_active` (owner, discriminator, the key it stores equal to",
                "`campaign.oracle`, active): a revoked oracle's pushes and attestations pay nothing."
              ]
            },
            {
              "name": "campaign",
              "docs": [
                "The campaign paying out. `dup`: it is the only account here written back on exit, so",
                "no other field could alias it into a double write (recipients are kept off it by",
                "`validate`), and Anchor's duplicate-mutable-account check, a SipHash set built per",
                "instruction, costs about 1,800 compute units for nothing."
              ],
              "writable": true,
              "relations": [
                "submission"
              ]
            },
            {
              "name": "submission",
              "docs": [
                "The video being paid; its watermark is the receipt. Zero-copy: read and written in",
                "place."
              ],
              "writable": true
            },
            {
              "name": "vault",
              "writable": true
            },
            {
              "name": "creator",
              "docs": [
                "SOL campaign and owns `creator_token_account` in a token campaign."
              ],
              "writable": true
            },
            {
              "name": "affiliate",
              "docs": [
                "against `submission.affiliate` in `validate`."
              ],
              "writable": true,
              "optional": true
            },
            {
              "name": "treasury",
              "writable": true
            },
            {
              "name": "creatorTokenAccount",
              "docs": [
                "`AtaCreator::ensure`."
              ],
              "writable": true,
              "optional": true
            },
            {
              "name": "affiliateTokenAccount",
              "docs": [
                "created by `AtaCreator::ensure`."
              ],
              "writable": true,
              "optional": true
            },
            {
              "name": "treasuryTokenAccount",
              "docs": [
                "`AtaCreator::ensure`."
              ],
              "writable": true,
              "optional": true
            },
            {
              "name": "mint",
              "optional": true
            },
            {
              "name": "tokenProgram",
              "docs": [
                "The campaign's token program (token campaigns only), checked against",
                "`campaign.token_program`."
              ],
              "optional": true
            },
            {
              "name": "associatedTokenProgram",
              "docs": [
                "Creates missing recipient token accounts (token campaigns only)."
              ],
              "optional": true,
              "address": "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
            },
            {
              "name": "systemProgram",
              "docs": [
                "Needed by the associated token program to create accounts (token campaigns only)."
              ],
              "optional": true,
              "address": "11111111111111111111111111111111"
            }
          ]
        }
      ],
      "args": [
        {
          "name": "cumulativeViews",
          "type": "u64"
        }
      ]
    },
    {
      "name": "disburseBatch",
      "discriminator": [
        112,
        162,
        115,
        21,
        57,
        22,
        46,
        104
      ],
      "accounts": [
        {
          "name": "oracle",
          "docs": [
            "The campaign's oracle, vouching for every view count of the batch."
          ],
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "Platform settings, for the global pause (a fixed-seed PDA: owner and discriminator",
            "checks suffice)."
          ]
        },
        {
          "name": "oracleRegistration",
          "docs": [
            "`OracleRegistration::check_active`."
          ]
        },
        {
          "name": "campaign",
          "docs": [
            "The campaign paying out. `dup` for the reason given on `Payout::campaign`: the only",
            "account written back on exit, kept off every recipient by the checks here."
          ],
          "writable": true
        },
        {
          "name": "vault",
          "writable": true
        },
        {
          "name": "treasury",
          "docs": [
            "against `campaign.treasury` in `validate`), or an existing token account of it for the",
            "mint in a token campaign (checked by `existing_token_account_receivable`). One that",
            "cannot receive leaves the fee accrued for `settle_accrued`."
          ],
          "writable": true
        },
        {
          "name": "mint",
          "optional": true
        },
        {
          "name": "tokenProgram",
          "docs": [
            "The campaign's token program (token campaigns only), checked against",
            "`campaign.token_program`."
          ],
          "optional": true
        }
      ],
      "args": [
        {
          "name": "views",
          "type": {
            "vec": "u64"
          }
        }
      ]
    },
    {
      "name": "distrustMint",
      "discriminator": [
        166,
        181,
        164,
        20,
        92,
        134,
        147,
        51
      ],
      "accounts": [
        {
          "name": "admin",
          "docs": [
            "The platform admin."
          ],
          "signer": true,
          "relations": [
            "platform"
          ]
        },
        {
          "name": "platform",
          "docs": [
            "The platform settings, naming the admin."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  112,
                  108,
                  97,
                  116,
                  102,
                  111,
                  114,
                  109
                ]
              }
            ]
          }
        },
        {
          "name": "trustedMint",
          "docs": [
            "The trust record, closed here; its rent goes back to whoever paid it."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  116,
                  114,
                  117,
                  115,
                  116,
                  101,
                  100,
                  95,
                  109,
                  105,
                  110,
                  116
                ]
              },
              {
                "kind": "account",
                "path": "trusted_mint.mint",
                "account": "trustedMint"
              }
            ]
          }
        },
        {
          "name": "rentPayer",
          "writable": true,
          "relations": [
            "trustedMint"
          ]
        }
      ],
      "args": []
    },
    {
      "name": "fundCampaign",
      "discriminator": [
        109,
        57,
        56,
        239,
        99,
        111,
        221,
        121
      ],
      "accounts": [
        {
          "name": "funder",
          "docs": [
            "Anyone may fund a campaign; the funder signs for its tokens or lamports."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "Platform settings, for the global pause.",
            "(The type check suffices: `init_platform` can only create the one fixed-seed Platform.)"
          ]
        },
        {
          "name": "campaign",
          "docs": [
            "The campaign being funded."
          ],
          "writable": true
        },
        {
          "name": "vault",
          "writable": true
        },
        {
          "name": "funderTokenAccount",
          "docs": [
            "funder owns it and that its mint is `mint`."
          ],
          "writable": true,
          "optional": true
        },
        {
          "name": "mint",
          "optional": true
        },
        {
          "name": "tokenProgram",
          "docs": [
            "The campaign's token program (token campaigns), checked against",
            "`campaign.token_program`."
          ],
          "optional": true
        },
        {
          "name": "systemProgram",
          "docs": [
            "Moves lamports for SOL campaigns."
          ],
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "amount",
          "type": "u64"
        }
      ]
    },
    {
      "name": "initPlatform",
      "discriminator": [
        29,
        22,
        210,
        225,
        219,
        114,
        193,
        169
      ],
      "accounts": [
        {
          "name": "admin",
          "docs": [
            "The program's upgrade authority; becomes the platform admin."
          ],
          "signer": true
        },
        {
          "name": "payer",
          "docs": [
            "Pays the platform account's rent."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "The platform settings, created here once (`init` refuses a second time)."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  112,
                  108,
                  97,
                  116,
                  102,
                  111,
                  114,
                  109
                ]
              }
            ]
          }
        },
        {
          "name": "programData",
          "docs": [
            "the upgradeable loader's PDA of this program id (checked by `seeds`); its owner and",
            "layout are checked in `validate`. Parsed by hand: Anchor's `ProgramData` type goes",
            "through bincode, whose error formatting pulls float code into the SBF build."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  159,
                  17,
                  89,
                  184,
                  43,
                  118,
                  107,
                  179,
                  23,
                  29,
                  100,
                  4,
                  143,
                  250,
                  59,
                  186,
                  183,
                  171,
                  1,
                  103,
                  213,
                  213,
                  199,
                  74,
                  47,
                  154,
                  54,
                  234,
                  25,
                  191,
                  81,
                  252
                ]
              }
            ],
            "program": {
              "kind": "const",
              "value": [
                2,
                168,
                246,
                145,
                78,
                136,
                161,
                176,
                226,
                16,
                21,
                62,
                247,
                99,
                174,
                43,
                0,
                194,
                185,
                61,
                22,
                193,
                36,
                210,
                192,
                83,
                122,
                16,
                4,
                128,
                0,
                0
              ]
            }
          }
        },
        {
          "name": "systemProgram",
          "docs": [
            "Creates the platform account."
          ],
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "args",
          "type": {
            "defined": {
              "name": "initPlatformArgs"
            }
          }
        }
      ]
    },
    {
      "name": "registerSubmission",
      "discriminator": [
        55,
        137,
        111,
        27,
        8,
        157,
        187,
        218
      ],
      "accounts": [
        {
          "name": "oracle",
          "docs": [
            "The campaign's oracle, vouching that the video exists and belongs to the creator."
          ],
          "signer": true,
          "relations": [
            "campaign"
          ]
        },
        {
          "name": "payer",
          "docs": [
            "Pays the submission's rent."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "Platform settings, for the global pause.",
            "(The type check suffices: `init_platform` can only create the one fixed-seed Platform.)"
          ]
        },
        {
          "name": "campaign",
          "docs": [
            "The campaign the video joins."
          ],
          "writable": true
        },
        {
          "name": "oracleRegistration",
          "docs": [
            "The oracle's registration with the platform, at its `[\"oracle\", key]` address; a",
            "revoked oracle registers nothing."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  111,
                  114,
                  97,
                  99,
                  108,
                  101
                ]
              },
              {
                "kind": "account",
                "path": "oracle"
              }
            ]
          }
        },
        {
          "name": "submission",
          "docs": [
            "The new submission; `init` refuses a video registered twice."
          ],
          "writable": true
        },
        {
          "name": "systemProgram",
          "docs": [
            "Creates the submission account."
          ],
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "args",
          "type": {
            "defined": {
              "name": "registerSubmissionArgs"
            }
          }
        }
      ]
    },
    {
      "name": "revokeOracle",
      "discriminator": [
        244,
        253,
        191,
        174,
        58,
        179,
        203,
        48
      ],
      "accounts": [
        {
          "name": "admin",
          "docs": [
            "The platform admin."
          ],
          "signer": true,
          "relations": [
            "platform"
          ]
        },
        {
          "name": "platform",
          "docs": [
            "The platform settings, naming the admin."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  112,
                  108,
                  97,
                  116,
                  102,
                  111,
                  114,
                  109
                ]
              }
            ]
          }
        },
        {
          "name": "oracleRegistration",
          "docs": [
            "The registration to revoke; kept (inactive) so the key can never be registered again."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  111,
                  114,
                  97,
                  99,
                  108,
                  101
                ]
              },
              {
                "kind": "account",
                "path": "oracle_registration.oracle",
                "account": "oracleRegistration"
              }
            ]
          }
        }
      ],
      "args": []
    },
    {
      "name": "setCampaignOracle",
      "discriminator": [
        65,
        167,
        208,
        196,
        32,
        251,
        12,
        8
      ],
      "accounts": [
        {
          "name": "admin",
          "docs": [
            "The platform admin; a brand cannot choose who verifies its own campaign's views."
          ],
          "signer": true,
          "relations": [
            "platform"
          ]
        },
        {
          "name": "platform",
          "docs": [
            "The platform settings, naming the admin."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  112,
                  108,
                  97,
                  116,
                  102,
                  111,
                  114,
                  109
                ]
              }
            ]
          }
        },
        {
          "name": "campaign",
          "docs": [
            "The campaign to re-point."
          ],
          "writable": true
        },
        {
          "name": "oracleRegistration",
          "docs": [
            "The registration of the new oracle, at its own `[\"oracle\", key]` address."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  111,
                  114,
                  97,
                  99,
                  108,
                  101
                ]
              },
              {
                "kind": "account",
                "path": "oracle_registration.oracle",
                "account": "oracleRegistration"
              }
            ]
          }
        }
      ],
      "args": []
    },
    {
      "name": "setCampaignStatus",
      "discriminator": [
        228,
        16,
        24,
        238,
        203,
        46,
        69,
        189
      ],
      "accounts": [
        {
          "name": "authority",
          "docs": [
            "The brand, or the platform admin (who may only pause and resume)."
          ],
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "Platform settings, to recognise the admin and the global pause.",
            "(The type check suffices: `init_platform` can only create the one fixed-seed Platform.)"
          ]
        },
        {
          "name": "campaign",
          "docs": [
            "The campaign whose status changes."
          ],
          "writable": true
        }
      ],
      "args": [
        {
          "name": "status",
          "type": {
            "defined": {
              "name": "campaignStatus"
            }
          }
        }
      ]
    },
    {
      "name": "settleAccrued",
      "discriminator": [
        21,
        235,
        255,
        34,
        156,
        76,
        227,
        86
      ],
      "accounts": [
        {
          "name": "payer",
          "docs": [
            "Pays rent for the recipient's token account if it has to be created."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "Platform settings, for the global pause.",
            "(The type check suffices: `init_platform` can only create the one fixed-seed Platform.)"
          ]
        },
        {
          "name": "campaign",
          "docs": [
            "The campaign whose vault holds the accrued value."
          ],
          "writable": true,
          "relations": [
            "submission"
          ]
        },
        {
          "name": "submission",
          "docs": [
            "The submission whose commission is delivered; absent to deliver the campaign's fees."
          ],
          "writable": true,
          "optional": true
        },
        {
          "name": "vault",
          "writable": true
        },
        {
          "name": "recipient",
          "docs": [
            "against `submission.affiliate` or `campaign.treasury`."
          ],
          "writable": true
        },
        {
          "name": "recipientTokenAccount",
          "docs": [
            "`AtaCreator::prepare`."
          ],
          "writable": true,
          "optional": true
        },
        {
          "name": "mint",
          "optional": true
        },
        {
          "name": "tokenProgram",
          "docs": [
            "The campaign's token program (token campaigns), checked against",
            "`campaign.token_program`."
          ],
          "optional": true
        },
        {
          "name": "associatedTokenProgram",
          "docs": [
            "Creates a missing recipient token account (token campaigns)."
          ],
          "optional": true,
          "address": "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
        },
        {
          "name": "systemProgram",
          "docs": [
            "Needed by the associated token program to create accounts."
          ],
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": []
    },
    {
      "name": "trustMint",
      "discriminator": [
        112,
        2,
        252,
        202,
        31,
        11,
        14,
        62
      ],
      "accounts": [
        {
          "name": "admin",
          "docs": [
            "The platform admin."
          ],
          "signer": true,
          "relations": [
            "platform"
          ]
        },
        {
          "name": "payer",
          "docs": [
            "Pays the trust record's rent."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "platform",
          "docs": [
            "The platform settings, naming the admin."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  112,
                  108,
                  97,
                  116,
                  102,
                  111,
                  114,
                  109
                ]
              }
            ]
          }
        },
        {
          "name": "mint",
          "docs": [
            "Token-2022 and is an initialised mint."
          ]
        },
        {
          "name": "trustedMint",
          "docs": [
            "The trust record; `init` refuses a mint already trusted."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  116,
                  114,
                  117,
                  115,
                  116,
                  101,
                  100,
                  95,
                  109,
                  105,
                  110,
                  116
                ]
              },
              {
                "kind": "account",
                "path": "mint"
              }
            ]
          }
        },
        {
          "name": "systemProgram",
          "docs": [
            "Creates the record."
          ],
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": []
    },
    {
      "name": "updatePlatform",
      "discriminator": [
        46,
        78,
        138,
        189,
        47,
        163,
        120,
        85
      ],
      "accounts": [
        {
          "name": "admin",
          "docs": [
            "The current platform admin (a key or a multisig vault)."
          ],
          "signer": true,
          "relations": [
            "platform"
          ]
        },
        {
          "name": "platform",
          "docs": [
            "The platform settings."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  112,
                  108,
                  97,
                  116,
                  102,
                  111,
                  114,
                  109
                ]
              }
            ]
          }
        }
      ],
      "args": [
        {
          "name": "args",
          "type": {
            "defined": {
              "name": "updatePlatformArgs"
            }
          }
        }
      ]
    },
    {
      "name": "withdraw",
      "discriminator": [
        183,
        18,
        70,
        156,
        148,
        109,
        161,
        34
      ],
      "accounts": [
        {
          "name": "brand",
          "docs": [
            "The campaign's brand; receives the funds."
          ],
          "writable": true,
          "signer": true,
          "relations": [
            "campaign"
          ]
        },
        {
          "name": "platform",
          "docs": [
            "Platform settings: the global pause, and platform pauses that moved the deadline.",
            "(The type check suffices: `init_platform` can only create the one fixed-seed Platform.)"
          ]
        },
        {
          "name": "campaign",
          "docs": [
            "The campaign to withdraw from."
          ],
          "writable": true
        },
        {
          "name": "vault",
          "writable": true
        },
        {
          "name": "brandTokenAccount",
          "docs": [
            "and the token program checks its mint."
          ],
          "writable": true,
          "optional": true
        },
        {
          "name": "mint",
          "optional": true
        },
        {
          "name": "tokenProgram",
          "docs": [
            "The campaign's token program (token campaigns), checked against",
            "`campaign.token_program`."
          ],
          "optional": true
        }
      ],
      "args": [
        {
          "name": "amount",
          "type": "u64"
        }
      ]
    }
  ],
  "accounts": [
    {
      "name": "campaign",
      "discriminator": [
        50,
        40,
        49,
        11,
        157,
        220,
        229,
        192
      ]
    },
    {
      "name": "oracleRegistration",
      "discriminator": [
        160,
        4,
        141,
        218,
        215,
        99,
        153,
        136
      ]
    },
    {
      "name": "platform",
      "discriminator": [
        77,
        92,
        204,
        58,
        187,
        98,
        91,
        12
      ]
    },
    {
      "name": "submission",
      "discriminator": [
        58,
        194,
        159,
        158,
        75,
        102,
        178,
        197
      ]
    },
    {
      "name": "trustedMint",
      "discriminator": [
        68,
        130,
        240,
        166,
        226,
        29,
        245,
        97
      ]
    }
  ],
  "events": [
    {
      "name": "accruedSettled",
      "discriminator": [
        166,
        148,
        129,
        182,
        166,
        174,
        91,
        149
      ]
    },
    {
      "name": "adminAccepted",
      "discriminator": [
        174,
        12,
        76,
        139,
        158,
        99,
        110,
        254
      ]
    },
    {
      "name": "batchPaid",
      "discriminator": [
        254,
        26,
        12,
        175,
        204,
        61,
        242,
        70
      ]
    },
    {
      "name": "campaignClosed",
      "discriminator": [
        158,
        143,
        128,
        251,
        84,
        131,
        2,
        90
      ]
    },
    {
      "name": "campaignCreated",
      "discriminator": [
        9,
        98,
        69,
        61,
        53,
        131,
        64,
        152
      ]
    },
    {
      "name": "campaignFunded",
      "discriminator": [
        46,
        83,
        210,
        201,
        110,
        227,
        24,
        212
      ]
    },
    {
      "name": "campaignOracleChanged",
      "discriminator": [
        146,
        183,
        82,
        102,
        248,
        196,
        161,
        110
      ]
    },
    {
      "name": "campaignStatusChanged",
      "discriminator": [
        29,
        231,
        184,
        247,
        102,
        189,
        130,
        98
      ]
    },
    {
      "name": "campaignWithdrawn",
      "discriminator": [
        182,
        134,
        43,
        159,
        228,
        251,
        208,
        231
      ]
    },
    {
      "name": "mintTrustChanged",
      "discriminator": [
        17,
        224,
        240,
        250,
        127,
        194,
        250,
        222
      ]
    },
    {
      "name": "oracleAdded",
      "discriminator": [
        48,
        0,
        207,
        33,
        20,
        56,
        215,
        219
      ]
    },
    {
      "name": "oracleRevoked",
      "discriminator": [
        46,
        163,
        216,
        49,
        163,
        153,
        239,
        118
      ]
    },
    {
      "name": "payoutMade",
      "discriminator": [
        197,
        30,
        136,
        82,
        228,
        4,
        109,
        105
      ]
    },
    {
      "name": "platformInitialized",
      "discriminator": [
        16,
        222,
        212,
        5,
        213,
        140,
        112,
        162
      ]
    },
    {
      "name": "platformUpdated",
      "discriminator": [
        75,
        10,
        83,
        45,
        92,
        4,
        133,
        128
      ]
    },
    {
      "name": "submissionClosed",
      "discriminator": [
        114,
        144,
        40,
        111,
        181,
        187,
        226,
        1
      ]
    },
    {
      "name": "submissionRegistered",
      "discriminator": [
        225,
        244,
        121,
        161,
        176,
        109,
        97,
        59
      ]
    }
  ],
  "errors": [
    {
      "code": 6000,
      "name": "notUpgradeAuthority",
      "msg": "Only the program's upgrade authority may initialise the platform; sign with it"
    },
    {
      "code": 6001,
      "name": "notPlatformAdmin",
      "msg": "Only the platform admin may do this; sign with the admin key"
    },
    {
      "code": 6002,
      "name": "notCampaignBrand",
      "msg": "Only the campaign's brand may do this; sign with the brand key"
    },
    {
      "code": 6003,
      "name": "notCampaignOracle",
      "msg": "Only the campaign's oracle may do this; sign with the oracle key"
    },
    {
      "code": 6004,
      "name": "notSubmissionCreator",
      "msg": "Only the submission's creator may claim; sign with the creator wallet"
    },
    {
      "code": 6005,
      "name": "notBrandOrOracle",
      "msg": "Only the campaign's brand or oracle may do this"
    },
    {
      "code": 6006,
      "name": "bpsOutOfRange",
      "msg": "Basis points must be at most 10000 (100%)"
    },
    {
      "code": 6007,
      "name": "bpsSumExceedsWhole",
      "msg": "Platform fee plus affiliate commission exceed 100%; lower one of them"
    },
    {
      "code": 6008,
      "name": "affiliateCommissionTooHigh",
      "msg": "Affiliate commission is above the platform's maximum; lower it"
    },
    {
      "code": 6009,
      "name": "affiliateMismatch",
      "msg": "An affiliate commission needs an affiliate wallet, and an affiliate needs a commission"
    },
    {
      "code": 6010,
      "name": "invalidRate",
      "msg": "The campaign's rate per 1,000 views and cap per submission must both be above zero"
    },
    {
      "code": 6011,
      "name": "invalidSchedule",
      "msg": "The campaign must end after it starts, and the settlement window must not be negative"
    },
    {
      "code": 6012,
      "name": "platformPaused",
      "msg": "The platform is paused by its admin; try again once it is resumed"
    },
    {
      "code": 6013,
      "name": "campaignPaused",
      "msg": "The campaign is paused; payouts and registrations wait until the brand resumes it"
    },
    {
      "code": 6014,
      "name": "campaignEnded",
      "msg": "The campaign has ended and its settlement window has closed"
    },
    {
      "code": 6015,
      "name": "campaignNotStarted",
      "msg": "The campaign has not started yet; wait for its start time"
    },
    {
      "code": 6016,
      "name": "settlementWindowOpen",
      "msg": "The campaign is still live or settling; withdraw after the end (or pause) plus the settlement window"
    },
    {
      "code": 6017,
      "name": "adminPauseLocked",
      "msg": "The admin paused this campaign: payouts and withdrawals wait until the admin resumes it"
    },
    {
      "code": 6018,
      "name": "invalidStatusChange",
      "msg": "That status change is not allowed from the campaign's current status"
    },
    {
      "code": 6019,
      "name": "viewsNotIncreasing",
      "msg": "Nothing is owed for these views: they are below the watermark or already paid in full (replay or stale report); report a higher count"
    },
    {
      "code": 6020,
      "name": "insufficientVaultBalance",
      "msg": "The vault holds nothing to pay this recorded shortfall; fund the campaign, then pay again"
    },
    {
      "code": 6021,
      "name": "withdrawExceedsAvailable",
      "msg": "Withdrawal exceeds what the vault holds beyond what is owed"
    },
    {
      "code": 6022,
      "name": "campaignNotEmpty",
      "msg": "The campaign still holds funds; withdraw them before closing"
    },
    {
      "code": 6023,
      "name": "submissionsStillOpen",
      "msg": "The campaign still has open submissions; close them before closing the campaign"
    },
    {
      "code": 6024,
      "name": "zeroAmount",
      "msg": "An amount must be above zero"
    },
    {
      "code": 6025,
      "name": "overflow",
      "msg": "An amount or running total would overflow a u64"
    },
    {
      "code": 6026,
      "name": "wrongVault",
      "msg": "The vault account is not this campaign's vault"
    },
    {
      "code": 6027,
      "name": "wrongMint",
      "msg": "The mint is not this campaign's mint"
    },
    {
      "code": 6028,
      "name": "wrongTokenProgram",
      "msg": "The token program is not this campaign's token program"
    },
    {
      "code": 6029,
      "name": "missingTokenAccounts",
      "msg": "Token campaigns need the mint, token program and associated token program accounts; SOL campaigns must omit them"
    },
    {
      "code": 6030,
      "name": "recipientTokenAccountMismatch",
      "msg": "A recipient token account does not belong to the expected wallet and mint"
    },
    {
      "code": 6031,
      "name": "wrongRecipient",
      "msg": "The recipient wallet does not match the submission or platform"
    },
    {
      "code": 6032,
      "name": "duplicateAccount",
      "msg": "The same account was passed for two roles that must differ"
    },
    {
      "code": 6033,
      "name": "recipientBelowRentExemption",
      "msg": "A SOL payout would leave a recipient below rent exemption; fund the recipient wallet with a little SOL first"
    },
    {
      "code": 6034,
      "name": "unsupportedMintProgram",
      "msg": "The mint is not owned by the SPL Token or Token-2022 program"
    },
    {
      "code": 6035,
      "name": "unsupportedMintExtension",
      "msg": "The mint has a Token-2022 extension the escrow cannot hold safely (permanent delegate, transfer hook, non-transferable, confidential, pausable, default-frozen or unknown); use another mint or ask the platform admin to trust its issuer"
    },
    {
      "code": 6036,
      "name": "missingAttestation",
      "msg": "The claim needs an Ed25519 signature-verify instruction right before it"
    },
    {
      "code": 6037,
      "name": "malformedAttestation",
      "msg": "The Ed25519 instruction is not laid out as a single signature over its own data"
    },
    {
      "code": 6038,
      "name": "attestationWrongSigner",
      "msg": "The attestation is not signed by the campaign's oracle"
    },
    {
      "code": 6039,
      "name": "attestationMismatch",
      "msg": "The attestation is for a different program, campaign, submission or view count"
    },
    {
      "code": 6040,
      "name": "attestationExpired",
      "msg": "The attestation has expired; ask the oracle for a fresh one"
    },
    {
      "code": 6041,
      "name": "wrongInstructionsSysvar",
      "msg": "The account is not the instructions sysvar"
    },
    {
      "code": 6042,
      "name": "notPendingAdmin",
      "msg": "Only the proposed admin may accept the admin role; sign with the proposed key"
    },
    {
      "code": 6043,
      "name": "invalidPlatformSetting",
      "msg": "The minimum settlement window and the attestation lifetime must both be above zero seconds"
    },
    {
      "code": 6044,
      "name": "settlementWindowTooShort",
      "msg": "The settlement window is shorter than the platform's minimum; choose a longer --settlement-window"
    },
    {
      "code": 6045,
      "name": "oracleNotRegistered",
      "msg": "The oracle is not registered with the platform; pick a registered oracle (`clipstake platform oracle list`)"
    },
    {
      "code": 6046,
      "name": "oracleRevoked",
      "msg": "The oracle was revoked by the platform admin; ask the admin to re-point the campaign to a registered oracle"
    },
    {
      "code": 6047,
      "name": "mintFreezeAuthority",
      "msg": "The mint has a freeze authority; use a mint without one or ask the platform admin to trust its issuer"
    },
    {
      "code": 6048,
      "name": "mintCloseAuthority",
      "msg": "The mint has a close authority, so it could be re-created with new powers; use a mint without one or ask the platform admin to trust its issuer"
    },
    {
      "code": 6049,
      "name": "mintTransferFeeAdjustable",
      "msg": "The mint's transfer fee can still change (its config authority is set or a new fee is pending); use a fixed-fee mint or ask the platform admin to trust its issuer"
    },
    {
      "code": 6050,
      "name": "attestationLifetimeTooLong",
      "msg": "The attestation is valid for longer than the platform allows; ask the oracle for one that expires sooner"
    },
    {
      "code": 6051,
      "name": "campaignSettled",
      "msg": "The brand has withdrawn from this campaign: it is over for good and cannot be resumed, registered to or paid from"
    },
    {
      "code": 6052,
      "name": "recipientCannotReceive",
      "msg": "The creator's account cannot receive this payout (frozen, requiring memos, owned by someone else, or not able to hold SOL); fix the account and retry"
    },
    {
      "code": 6053,
      "name": "nothingAccrued",
      "msg": "Nothing accrued is owed to this recipient"
    },
    {
      "code": 6054,
      "name": "accruedStillOwed",
      "msg": "The vault still holds fees or commissions owed to recipients; deliver them with settle_accrued first"
    },
    {
      "code": 6055,
      "name": "emptyBatch",
      "msg": "A batch must pay at least one submission"
    },
    {
      "code": 6056,
      "name": "batchTooLarge",
      "msg": "A batch carries at most 32 payouts; split it"
    },
    {
      "code": 6057,
      "name": "batchAccountsMismatch",
      "msg": "The batch's accounts do not match its payouts: pass, per payout in order, the writable submission, the creator's receiving account and, exactly when the submission has an affiliate, the affiliate's"
    },
    {
      "code": 6058,
      "name": "shortfallStillOwed",
      "msg": "This video's verified views are still owed more than the vault paid; fund the campaign and pay the shortfall (the oracle's next push or the creator's claim) first"
    },
    {
      "code": 6059,
      "name": "mintTransferFeeWithdrawable",
      "msg": "The mint lets an authority withdraw the transfer fees withheld from payouts (it would take back part of each); use a mint without a withdraw-withheld authority, or ask the admin to trust its issuer"
    },
    {
      "code": 6060,
      "name": "corruptCampaign",
      "msg": "The campaign account holds an asset or status byte no version of this program writes; report it to the platform, the account cannot be used as it is"
    }
  ],
  "types": [
    {
      "name": "accruedSettled",
      "docs": [
        "Accrued fees or commission were delivered to their recipient."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "submission",
            "docs": [
              "The submission whose commission was delivered; `Pubkey::default()` for fees."
            ],
            "type": "pubkey"
          },
          {
            "name": "recipient",
            "type": "pubkey"
          },
          {
            "name": "amount",
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "adminAccepted",
      "docs": [
        "The proposed admin accepted the role."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "previousAdmin",
            "type": "pubkey"
          },
          {
            "name": "admin",
            "type": "pubkey"
          }
        ]
      }
    },
    {
      "name": "assetKind",
      "docs": [
        "What a campaign's budget is held in."
      ],
      "type": {
        "kind": "enum",
        "variants": [
          {
            "name": "splToken"
          },
          {
            "name": "token2022"
          },
          {
            "name": "nativeSol"
          }
        ]
      }
    },
    {
      "name": "batchPaid",
      "docs": [
        "A `disburse_batch` paid several submissions of one campaign. Logged before any transfer, so",
        "no batch's transfer logs can push it past the runtime's 10 KB log limit. Each payout's",
        "creator share is `gross - fee - commission`; recipients follow from the submission."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "fee",
            "docs": [
              "The batch's platform fee, the sum of each payout's floored fee, moved in one transfer."
            ],
            "type": "u64"
          },
          {
            "name": "feeAccrued",
            "docs": [
              "The treasury could not receive; the fee is held in the vault for `settle_accrued`."
            ],
            "type": "bool"
          },
          {
            "name": "payouts",
            "docs": [
              "The payouts, in the order the instruction listed them."
            ],
            "type": {
              "vec": {
                "defined": {
                  "name": "batchPayout"
                }
              }
            }
          }
        ]
      }
    },
    {
      "name": "batchPayout",
      "docs": [
        "One payout of a [`BatchPaid`] (73 bytes)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "submission",
            "type": "pubkey"
          },
          {
            "name": "watermark",
            "docs": [
              "The submission's watermark after this payout."
            ],
            "type": "u64"
          },
          {
            "name": "gross",
            "type": "u64"
          },
          {
            "name": "fee",
            "type": "u64"
          },
          {
            "name": "commission",
            "type": "u64"
          },
          {
            "name": "commissionAccrued",
            "docs": [
              "The affiliate could not receive; the commission is held in the vault."
            ],
            "type": "bool"
          },
          {
            "name": "stillOwed",
            "docs": [
              "What these views are still owed because the vault held less."
            ],
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "campaign",
      "docs": [
        "A brand's campaign (`[\"campaign\", brand, campaign_id]`), which also signs for its vault.",
        "",
        "Zero-copy, like `Submission`: instructions read and write it in place instead of a borsh",
        "round trip on entry and exit (about 2,000 compute units a payout). The 8-byte fields come",
        "first, then the keys, then the small ones, so the `repr(C)` layout has no hidden gaps (376",
        "bytes after the discriminator). Enums and flags are bytes (`Pod` has no enums or bools):",
        "read them through `asset()`, `status()` and the `is_*` methods, write them through the",
        "state transitions below."
      ],
      "serialization": "bytemuck",
      "repr": {
        "kind": "c"
      },
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaignId",
            "docs": [
              "Brand-chosen number that makes the PDA unique per brand."
            ],
            "type": "u64"
          },
          {
            "name": "ratePerThousandViews",
            "docs": [
              "Base units paid per 1,000 verified views."
            ],
            "type": "u64"
          },
          {
            "name": "capPerSubmission",
            "docs": [
              "The most one submission can ever earn, in base units."
            ],
            "type": "u64"
          },
          {
            "name": "startTime",
            "docs": [
              "Unix time from which payouts are allowed."
            ],
            "type": "i64"
          },
          {
            "name": "endTime",
            "docs": [
              "Unix time after which no new views count."
            ],
            "type": "i64"
          },
          {
            "name": "settlementWindowSecs",
            "docs": [
              "Seconds after the end (or a pause) during which the oracle may still settle payouts and",
              "the brand may not withdraw; at least the platform's minimum."
            ],
            "type": "i64"
          },
          {
            "name": "pausedAt",
            "docs": [
              "Unix time of the last pause (0 if never paused)."
            ],
            "type": "i64"
          },
          {
            "name": "adminPausedSecs",
            "docs": [
              "Seconds the admin kept this campaign paused, all admin pauses summed; added to the",
              "payout deadline so an admin pause never costs creators."
            ],
            "type": "i64"
          },
          {
            "name": "platformPauseBaseline",
            "docs": [
              "`Platform::pause_total_secs` when the campaign was created: platform pauses since then",
              "are added to the payout deadline."
            ],
            "type": "i64"
          },
          {
            "name": "funded",
            "docs": [
              "Total the vault actually received from funders."
            ],
            "type": "u64"
          },
          {
            "name": "paidToCreators",
            "docs": [
              "Total paid to creators."
            ],
            "type": "u64"
          },
          {
            "name": "feesPaid",
            "docs": [
              "Total platform fees delivered to the treasury."
            ],
            "type": "u64"
          },
          {
            "name": "commissionsPaid",
            "docs": [
              "Total affiliate commissions delivered."
            ],
            "type": "u64"
          },
          {
            "name": "feesAccrued",
            "docs": [
              "Fees earned but not deliverable when paid (the treasury's account could not receive);",
              "held in the vault for the treasury until `settle_accrued` delivers them."
            ],
            "type": "u64"
          },
          {
            "name": "commissionsAccrued",
            "docs": [
              "Commissions earned but not deliverable when paid, summed over submissions; held in the",
              "vault for the affiliates until `settle_accrued` delivers them."
            ],
            "type": "u64"
          },
          {
            "name": "withdrawn",
            "docs": [
              "Total withdrawn by the brand."
            ],
            "type": "u64"
          },
          {
            "name": "shortfallOwed",
            "docs": [
              "What verified views are owed beyond what the vault could pay when their payouts were",
              "made, summed over submissions (each `entitlement(paid_views) - paid_gross`). Kept back",
              "from withdrawals, and payable even after the deadline, so a brand that funds less than",
              "its verified views earn cannot take the difference back."
            ],
            "type": "u64"
          },
          {
            "name": "brand",
            "docs": [
              "The brand that created the campaign and may fund, pause, withdraw and close it."
            ],
            "type": "pubkey"
          },
          {
            "name": "mint",
            "docs": [
              "The budget's mint; `Pubkey::default()` for native SOL."
            ],
            "type": "pubkey"
          },
          {
            "name": "tokenProgram",
            "docs": [
              "Token program of the mint; the system program for native SOL."
            ],
            "type": "pubkey"
          },
          {
            "name": "vault",
            "docs": [
              "The vault: the campaign's associated token account, or the SOL vault PDA."
            ],
            "type": "pubkey"
          },
          {
            "name": "oracle",
            "docs": [
              "The payout oracle (registered with the platform) that registers videos and signs view",
              "counts; only the admin may re-point it."
            ],
            "type": "pubkey"
          },
          {
            "name": "treasury",
            "docs": [
              "Fee recipient wallet, copied from the platform at creation."
            ],
            "type": "pubkey"
          },
          {
            "name": "rentPayer",
            "docs": [
              "Who paid the rent of this account and the vault, and gets it back on close."
            ],
            "type": "pubkey"
          },
          {
            "name": "openSubmissions",
            "docs": [
              "Submissions registered and not yet closed; the campaign closes only at zero."
            ],
            "type": "u32"
          },
          {
            "name": "feeBps",
            "docs": [
              "Platform fee in basis points, frozen at creation."
            ],
            "type": "u16"
          },
          {
            "name": "maxAffiliateBps",
            "docs": [
              "Maximum affiliate commission in basis points, frozen at creation."
            ],
            "type": "u16"
          },
          {
            "name": "asset",
            "docs": [
              "What the budget is held in: an `AssetKind` (0 SPL Token, 1 Token-2022, 2 native SOL);",
              "read it with `asset()`."
            ],
            "type": "u8"
          },
          {
            "name": "decimals",
            "docs": [
              "Decimals of the mint (9 for native SOL), used for `transfer_checked`."
            ],
            "type": "u8"
          },
          {
            "name": "mintTrusted",
            "docs": [
              "1 when the platform admin trusted the mint's issuer at creation, else 0; the mint",
              "policy is then not applied to this campaign (see `mint_policy`)."
            ],
            "type": "u8"
          },
          {
            "name": "vaultBump",
            "docs": [
              "Canonical bump of the SOL vault PDA (0 for token campaigns)."
            ],
            "type": "u8"
          },
          {
            "name": "status",
            "docs": [
              "Lifecycle status: a `CampaignStatus` (0 active, 1 paused, 2 ended); read it with",
              "`status()`."
            ],
            "type": "u8"
          },
          {
            "name": "pausedByAdmin",
            "docs": [
              "1 when the admin paused the campaign (only the admin may resume it), else 0."
            ],
            "type": "u8"
          },
          {
            "name": "settled",
            "docs": [
              "1 once the brand has withdrawn: the campaign is over for good (no resume, no new",
              "videos, no payouts), else 0."
            ],
            "type": "u8"
          },
          {
            "name": "bump",
            "docs": [
              "Canonical bump of this PDA."
            ],
            "type": "u8"
          }
        ]
      }
    },
    {
      "name": "campaignClosed",
      "docs": [
        "A campaign was closed and its rent returned."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "funded",
            "type": "u64"
          },
          {
            "name": "paidGross",
            "type": "u64"
          },
          {
            "name": "withdrawn",
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "campaignCreated",
      "docs": [
        "A brand created a campaign."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "brand",
            "type": "pubkey"
          },
          {
            "name": "campaignId",
            "type": "u64"
          },
          {
            "name": "asset",
            "type": {
              "defined": {
                "name": "assetKind"
              }
            }
          },
          {
            "name": "mint",
            "type": "pubkey"
          },
          {
            "name": "vault",
            "type": "pubkey"
          },
          {
            "name": "oracle",
            "type": "pubkey"
          },
          {
            "name": "mintTrusted",
            "type": "bool"
          },
          {
            "name": "feeBps",
            "type": "u16"
          },
          {
            "name": "ratePerThousandViews",
            "type": "u64"
          },
          {
            "name": "capPerSubmission",
            "type": "u64"
          },
          {
            "name": "startTime",
            "type": "i64"
          },
          {
            "name": "endTime",
            "type": "i64"
          },
          {
            "name": "settlementWindowSecs",
            "type": "i64"
          }
        ]
      }
    },
    {
      "name": "campaignFunded",
      "docs": [
        "The vault received funds. `received` is what actually arrived (after any transfer fee)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "funder",
            "type": "pubkey"
          },
          {
            "name": "requested",
            "type": "u64"
          },
          {
            "name": "received",
            "type": "u64"
          },
          {
            "name": "fundedTotal",
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "campaignOracleChanged",
      "docs": [
        "The admin re-pointed a campaign to another registered oracle."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "previousOracle",
            "type": "pubkey"
          },
          {
            "name": "oracle",
            "type": "pubkey"
          }
        ]
      }
    },
    {
      "name": "campaignStatus",
      "docs": [
        "Lifecycle status set by the brand (or the admin for `Paused`)."
      ],
      "type": {
        "kind": "enum",
        "variants": [
          {
            "name": "active"
          },
          {
            "name": "paused"
          },
          {
            "name": "ended"
          }
        ]
      }
    },
    {
      "name": "campaignStatusChanged",
      "docs": [
        "The brand or admin changed the campaign's status."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "by",
            "type": "pubkey"
          },
          {
            "name": "status",
            "type": {
              "defined": {
                "name": "campaignStatus"
              }
            }
          },
          {
            "name": "pausedByAdmin",
            "type": "bool"
          },
          {
            "name": "endTime",
            "type": "i64"
          },
          {
            "name": "adminPausedSecs",
            "type": "i64"
          }
        ]
      }
    },
    {
      "name": "campaignWithdrawn",
      "docs": [
        "The brand withdrew unowed funds."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "amount",
            "type": "u64"
          },
          {
            "name": "withdrawnTotal",
            "type": "u64"
          },
          {
            "name": "strayFundsBooked",
            "docs": [
              "Funds that reached the vault outside `fund_campaign`, booked as funding just before."
            ],
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "claimArgs",
      "docs": [
        "A creator's claim, backed by the oracle's attestation."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "cumulativeViews",
            "docs": [
              "Cumulative verified views the oracle attested."
            ],
            "type": "u64"
          },
          {
            "name": "expiry",
            "docs": [
              "Unix time after which the attestation is void."
            ],
            "type": "i64"
          }
        ]
      }
    },
    {
      "name": "createCampaignArgs",
      "docs": [
        "Terms of a new campaign."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaignId",
            "docs": [
              "Brand-chosen number that makes the campaign address unique per brand."
            ],
            "type": "u64"
          },
          {
            "name": "oracle",
            "docs": [
              "The payout oracle allowed to register videos and sign view counts; it must be",
              "registered with the platform (a brand cannot be its own oracle)."
            ],
            "type": "pubkey"
          },
          {
            "name": "ratePerThousandViews",
            "docs": [
              "Base units paid per 1,000 verified views."
            ],
            "type": "u64"
          },
          {
            "name": "capPerSubmission",
            "docs": [
              "The most one video can earn, in base units."
            ],
            "type": "u64"
          },
          {
            "name": "startTime",
            "docs": [
              "Unix time from which views are paid."
            ],
            "type": "i64"
          },
          {
            "name": "endTime",
            "docs": [
              "Unix time after which new views no longer count."
            ],
            "type": "i64"
          },
          {
            "name": "settlementWindowSecs",
            "docs": [
              "Seconds after the end (or a pause) to settle payouts before the brand may withdraw; at",
              "least the platform's minimum."
            ],
            "type": "i64"
          }
        ]
      }
    },
    {
      "name": "initPlatformArgs",
      "docs": [
        "Settings of a new platform."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "treasury",
            "docs": [
              "Wallet that receives platform fees."
            ],
            "type": "pubkey"
          },
          {
            "name": "feeBps",
            "docs": [
              "Platform fee in basis points."
            ],
            "type": "u16"
          },
          {
            "name": "maxAffiliateBps",
            "docs": [
              "Highest affiliate commission in basis points."
            ],
            "type": "u16"
          },
          {
            "name": "minSettlementWindowSecs",
            "docs": [
              "Shortest settlement window a campaign may have, in seconds (above zero; 1 day is the",
              "CLI's default)."
            ],
            "type": "i64"
          },
          {
            "name": "maxAttestationLifetimeSecs",
            "docs": [
              "Longest an oracle attestation may be valid, in seconds (above zero)."
            ],
            "type": "i64"
          }
        ]
      }
    },
    {
      "name": "mintTrustChanged",
      "docs": [
        "The admin trusted (or stopped trusting) a mint's issuer for campaigns created afterwards."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "mint",
            "type": "pubkey"
          },
          {
            "name": "trusted",
            "type": "bool"
          }
        ]
      }
    },
    {
      "name": "oracleAdded",
      "docs": [
        "The admin registered an oracle key."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "oracle",
            "type": "pubkey"
          }
        ]
      }
    },
    {
      "name": "oracleRegistration",
      "docs": [
        "A payout oracle key registered by the platform admin (`[\"oracle\", oracle]`).",
        "",
        "Campaigns may only name a registered oracle, so a brand cannot be its own oracle. Revoking",
        "is final: a revoked key can never register, push or have its attestations redeemed again, so",
        "its outstanding attestations die with it."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "oracle",
            "docs": [
              "The oracle's signing key."
            ],
            "type": "pubkey"
          },
          {
            "name": "active",
            "docs": [
              "False once the admin revoked the key."
            ],
            "type": "bool"
          },
          {
            "name": "addedAt",
            "docs": [
              "Unix time of registration."
            ],
            "type": "i64"
          },
          {
            "name": "revokedAt",
            "docs": [
              "Unix time of revocation (0 while active)."
            ],
            "type": "i64"
          },
          {
            "name": "bump",
            "docs": [
              "Canonical bump of this PDA."
            ],
            "type": "u8"
          }
        ]
      }
    },
    {
      "name": "oracleRevoked",
      "docs": [
        "The admin revoked an oracle key, for good."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "oracle",
            "type": "pubkey"
          }
        ]
      }
    },
    {
      "name": "payoutMade",
      "docs": [
        "A payout moved value from the vault. `watermark` is the submission's new paid views."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "submission",
            "type": "pubkey"
          },
          {
            "name": "creator",
            "type": "pubkey"
          },
          {
            "name": "affiliate",
            "type": "pubkey"
          },
          {
            "name": "previousWatermark",
            "type": "u64"
          },
          {
            "name": "watermark",
            "type": "u64"
          },
          {
            "name": "gross",
            "type": "u64"
          },
          {
            "name": "fee",
            "type": "u64"
          },
          {
            "name": "commission",
            "type": "u64"
          },
          {
            "name": "creatorAmount",
            "type": "u64"
          },
          {
            "name": "feeAccrued",
            "docs": [
              "The fee could not be delivered and is held in the vault for the treasury."
            ],
            "type": "bool"
          },
          {
            "name": "commissionAccrued",
            "docs": [
              "The commission could not be delivered and is held in the vault for the affiliate."
            ],
            "type": "bool"
          },
          {
            "name": "claimed",
            "docs": [
              "True for a creator's claim with an oracle attestation, false for an oracle push."
            ],
            "type": "bool"
          },
          {
            "name": "stillOwed",
            "docs": [
              "What these views are still owed because the vault held less than the whole payout;",
              "paid by the next payout at this watermark or above once the campaign is funded."
            ],
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "platform",
      "docs": [
        "Deployment-wide settings, one per program (`[\"platform\"]`).",
        "",
        "Fee settings are copied into each campaign when it is created, so an admin change only",
        "affects campaigns created afterwards. The admin may be a multisig (a Squads vault signs",
        "through its CPI like any other signer); nothing here assumes a single key."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "admin",
            "docs": [
              "May change these settings, register oracles, trust mints and pause any campaign; set to",
              "the program's upgrade authority at initialisation."
            ],
            "type": "pubkey"
          },
          {
            "name": "pendingAdmin",
            "docs": [
              "The admin proposed by `update_platform`, who becomes admin by signing `accept_admin`;",
              "`Pubkey::default()` when no change is pending."
            ],
            "type": "pubkey"
          },
          {
            "name": "treasury",
            "docs": [
              "Wallet that receives platform fees (its associated token account for token campaigns)."
            ],
            "type": "pubkey"
          },
          {
            "name": "feeBps",
            "docs": [
              "Platform fee in basis points of every gross payout."
            ],
            "type": "u16"
          },
          {
            "name": "maxAffiliateBps",
            "docs": [
              "The highest affiliate commission, in basis points, a submission may carry."
            ],
            "type": "u16"
          },
          {
            "name": "minSettlementWindowSecs",
            "docs": [
              "The shortest settlement window a campaign may have, in seconds (above zero)."
            ],
            "type": "i64"
          },
          {
            "name": "maxAttestationLifetimeSecs",
            "docs": [
              "The longest an oracle attestation may be valid: a claim is refused when its expiry is",
              "further than this from now."
            ],
            "type": "i64"
          },
          {
            "name": "paused",
            "docs": [
              "When true nothing moves: no campaign is created, funded, registered to, paid out,",
              "withdrawn from or changed by its brand."
            ],
            "type": "bool"
          },
          {
            "name": "pausedSince",
            "docs": [
              "Unix time the current platform pause began (meaningful while `paused`)."
            ],
            "type": "i64"
          },
          {
            "name": "pauseTotalSecs",
            "docs": [
              "Seconds the platform has spent paused, all pauses summed. Every campaign's payout",
              "deadline moves by the pauses since its creation, so a pause never costs creators."
            ],
            "type": "i64"
          },
          {
            "name": "bump",
            "docs": [
              "Canonical bump of this PDA."
            ],
            "type": "u8"
          },
          {
            "name": "splTokenBatch",
            "docs": [
              "The cluster's SPL Token program is p-token, whose `Batch` instruction moves every share",
              "of a payout in one CPI (one runtime invoke, about 950 compute units, instead of one per",
              "share). True from initialisation: mainnet, devnet and testnet run p-token",
              "(`replace_spl_token_with_p_token`). On a cluster still running the classic program,",
              "where a `Batch` fails, the admin turns it off with `update_platform`."
            ],
            "type": "bool"
          }
        ]
      }
    },
    {
      "name": "platformInitialized",
      "docs": [
        "The platform was initialised."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "admin",
            "type": "pubkey"
          },
          {
            "name": "treasury",
            "type": "pubkey"
          },
          {
            "name": "feeBps",
            "type": "u16"
          },
          {
            "name": "maxAffiliateBps",
            "type": "u16"
          }
        ]
      }
    },
    {
      "name": "platformUpdated",
      "docs": [
        "The admin changed platform settings (fees apply to campaigns created afterwards)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "admin",
            "type": "pubkey"
          },
          {
            "name": "pendingAdmin",
            "type": "pubkey"
          },
          {
            "name": "treasury",
            "type": "pubkey"
          },
          {
            "name": "feeBps",
            "type": "u16"
          },
          {
            "name": "maxAffiliateBps",
            "type": "u16"
          },
          {
            "name": "minSettlementWindowSecs",
            "type": "i64"
          },
          {
            "name": "maxAttestationLifetimeSecs",
            "type": "i64"
          },
          {
            "name": "paused",
            "type": "bool"
          },
          {
            "name": "pauseTotalSecs",
            "type": "i64"
          },
          {
            "name": "splTokenBatch",
            "type": "bool"
          }
        ]
      }
    },
    {
      "name": "registerSubmissionArgs",
      "docs": [
        "A video the oracle verified off-chain."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "contentHash",
            "docs": [
              "SHA-256 of the video's canonical platform id or URL."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "creator",
            "docs": [
              "Wallet that receives the creator's share (it need not hold SOL)."
            ],
            "type": "pubkey"
          },
          {
            "name": "affiliate",
            "docs": [
              "Affiliate wallet, if any."
            ],
            "type": {
              "option": "pubkey"
            }
          },
          {
            "name": "affiliateBps",
            "docs": [
              "Affiliate commission in basis points (0 without an affiliate)."
            ],
            "type": "u16"
          }
        ]
      }
    },
    {
      "name": "submission",
      "docs": [
        "One registered video of a campaign (`[\"submission\", campaign, content_hash]`).",
        "",
        "Its watermark (`paid_views`) is the receipt of every payout: a payout is owed only for views",
        "above it, so a replayed instruction or attestation pays nothing twice.",
        "",
        "Zero-copy: payouts read and write it in place (no borsh round trip, which cost about 800",
        "compute units per payout). The 8-byte fields come first and the padding is explicit, so the",
        "`repr(C)` layout has no hidden gaps (224 bytes after the discriminator)."
      ],
      "serialization": "bytemuck",
      "repr": {
        "kind": "c"
      },
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "paidViews",
            "docs": [
              "The highest cumulative verified views a payout was made for (the watermark). Only ever",
              "rises."
            ],
            "type": "u64"
          },
          {
            "name": "paidGross",
            "docs": [
              "Gross paid for this video so far: `entitlement(paid_views)`, or less when a payout was",
              "cut to what the vault held. The difference is still owed, and paid by the next payout."
            ],
            "type": "u64"
          },
          {
            "name": "paidToCreator",
            "docs": [
              "Total the creator received."
            ],
            "type": "u64"
          },
          {
            "name": "feesPaid",
            "docs": [
              "Total platform fees taken from this video's payouts."
            ],
            "type": "u64"
          },
          {
            "name": "commissionsPaid",
            "docs": [
              "Total affiliate commission delivered for this video."
            ],
            "type": "u64"
          },
          {
            "name": "commissionAccrued",
            "docs": [
              "Commission earned but not deliverable when paid (the affiliate's account could not",
              "receive), held in the vault until `settle_accrued` delivers it."
            ],
            "type": "u64"
          },
          {
            "name": "registeredAt",
            "docs": [
              "Unix time of registration."
            ],
            "type": "i64"
          },
          {
            "name": "campaign",
            "docs": [
              "The campaign this video was registered to."
            ],
            "type": "pubkey"
          },
          {
            "name": "contentHash",
            "docs": [
              "SHA-256 of the video's canonical platform id or URL, as verified off-chain."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "creator",
            "docs": [
              "Wallet that receives the creator's share."
            ],
            "type": "pubkey"
          },
          {
            "name": "affiliate",
            "docs": [
              "Wallet that receives the affiliate commission; `Pubkey::default()` for none."
            ],
            "type": "pubkey"
          },
          {
            "name": "rentPayer",
            "docs": [
              "Who paid the rent of this account and gets it back on close."
            ],
            "type": "pubkey"
          },
          {
            "name": "affiliateBps",
            "docs": [
              "Affiliate commission in basis points, frozen at registration."
            ],
            "type": "u16"
          },
          {
            "name": "bump",
            "docs": [
              "Canonical bump of this PDA."
            ],
            "type": "u8"
          },
          {
            "name": "reserved",
            "docs": [
              "Explicit padding to the 8-byte alignment of the struct; always zero."
            ],
            "type": {
              "array": [
                "u8",
                5
              ]
            }
          }
        ]
      }
    },
    {
      "name": "submissionClosed",
      "docs": [
        "A submission was closed and its rent returned."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "submission",
            "type": "pubkey"
          },
          {
            "name": "paidViews",
            "type": "u64"
          },
          {
            "name": "paidGross",
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "submissionRegistered",
      "docs": [
        "The oracle registered a video."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "campaign",
            "type": "pubkey"
          },
          {
            "name": "submission",
            "type": "pubkey"
          },
          {
            "name": "contentHash",
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "creator",
            "type": "pubkey"
          },
          {
            "name": "affiliate",
            "type": "pubkey"
          },
          {
            "name": "affiliateBps",
            "type": "u16"
          }
        ]
      }
    },
    {
      "name": "trustedMint",
      "docs": [
        "A mint whose issuer the platform admin trusts (`[\"trusted_mint\", mint]`), e.g. USDC or",
        "PYUSD, which keep freeze authorities and extensions the mint policy otherwise refuses."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "mint",
            "docs": [
              "The trusted mint."
            ],
            "type": "pubkey"
          },
          {
            "name": "trustedAt",
            "docs": [
              "Unix time the admin trusted it."
            ],
            "type": "i64"
          },
          {
            "name": "rentPayer",
            "docs": [
              "Who paid this account's rent and gets it back when the mint is distrusted."
            ],
            "type": "pubkey"
          },
          {
            "name": "bump",
            "docs": [
              "Canonical bump of this PDA."
            ],
            "type": "u8"
          }
        ]
      }
    },
    {
      "name": "updatePlatformArgs",
      "docs": [
        "Platform settings to change; `None` keeps the current value."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "newAdmin",
            "docs": [
              "Proposes a new admin, who takes over by signing `accept_admin` (two steps, so a typo",
              "cannot lock the platform); `Pubkey::default()` withdraws a proposal."
            ],
            "type": {
              "option": "pubkey"
            }
          },
          {
            "name": "treasury",
            "docs": [
              "A new fee wallet (for campaigns created afterwards)."
            ],
            "type": {
              "option": "pubkey"
            }
          },
          {
            "name": "feeBps",
            "docs": [
              "A new platform fee in basis points (for campaigns created afterwards)."
            ],
            "type": {
              "option": "u16"
            }
          },
          {
            "name": "maxAffiliateBps",
            "docs": [
              "A new maximum affiliate commission (for campaigns created afterwards)."
            ],
            "type": {
              "option": "u16"
            }
          },
          {
            "name": "minSettlementWindowSecs",
            "docs": [
              "A new minimum settlement window in seconds (above zero; for campaigns created",
              "afterwards)."
            ],
            "type": {
              "option": "i64"
            }
          },
          {
            "name": "maxAttestationLifetimeSecs",
            "docs": [
              "A new maximum attestation lifetime in seconds (above zero; applies to every claim)."
            ],
            "type": {
              "option": "i64"
            }
          },
          {
            "name": "paused",
            "docs": [
              "Pause or resume the whole platform. Every campaign's payout deadline moves back by the",
              "length of the pause."
            ],
            "type": {
              "option": "bool"
            }
          },
          {
            "name": "splTokenBatch",
            "docs": [
              "Whether SPL Token payouts use p-token's `Batch` instruction (see",
              "`Platform::spl_token_batch`); off on a cluster running the classic SPL Token program."
            ],
            "type": {
              "option": "bool"
            }
          }
        ]
      }
    }
  ],
  "constants": [
    {
      "name": "campaignSeed",
      "docs": [
        "`[\"campaign\", brand, campaign_id (u64 LE)]`: a brand's campaign. It is also the authority",
        "of a token vault."
      ],
      "type": "bytes",
      "value": "[99, 97, 109, 112, 97, 105, 103, 110]"
    },
    {
      "name": "maxBatchPayouts",
      "docs": [
        "Most payouts one batch may carry. A transaction's 64 account locks allow about 26 payouts",
        "without affiliates anyway; the bound keeps the event far below the 10 KB log limit."
      ],
      "type": "u8",
      "value": "32"
    },
    {
      "name": "oracleSeed",
      "docs": [
        "`[\"oracle\", oracle key]`: a payout oracle registered by the platform admin."
      ],
      "type": "bytes",
      "value": "[111, 114, 97, 99, 108, 101]"
    },
    {
      "name": "platformSeed",
      "docs": [
        "`[\"platform\"]`: the one Platform account of a deployment."
      ],
      "type": "bytes",
      "value": "[112, 108, 97, 116, 102, 111, 114, 109]"
    },
    {
      "name": "solVaultSeed",
      "docs": [
        "`[\"vault\", campaign]`: the lamport vault of a native-SOL campaign."
      ],
      "type": "bytes",
      "value": "[118, 97, 117, 108, 116]"
    },
    {
      "name": "submissionSeed",
      "docs": [
        "`[\"submission\", campaign, content_hash]`: one registered video of a campaign."
      ],
      "type": "bytes",
      "value": "[115, 117, 98, 109, 105, 115, 115, 105, 111, 110]"
    },
    {
      "name": "trustedMintSeed",
      "docs": [
        "`[\"trusted_mint\", mint]`: a mint whose issuer the platform admin trusts."
      ],
      "type": "bytes",
      "value": "[116, 114, 117, 115, 116, 101, 100, 95, 109, 105, 110, 116]"
    }
  ]
};
