//! The program's events, read back from a transaction's logs (`Program data: <base64>` lines
//! written by `emit!`), as an indexer reads them.
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;

/// Every event of type `E` in `logs`, in order. Lines of other events, other programs or
/// undecodable data are skipped.
pub fn decode<E: Discriminator + AnchorDeserialize>(logs: &[String]) -> Vec<E> {
    logs.iter()
        .filter_map(|line| line.strip_prefix("Program data: "))
        .filter_map(|data| base64::engine::general_purpose::STANDARD.decode(data).ok())
        .filter_map(|bytes| {
            let body = bytes.strip_prefix(E::DISCRIMINATOR)?;
            E::deserialize(&mut &body[..]).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::{AnchorSerialize, prelude::Pubkey};
    use clipstake::events::{BatchPaid, BatchPayout, PayoutMade};

    #[test]
    fn decodes_only_its_own_events() {
        let event = BatchPaid {
            campaign: Pubkey::new_unique(),
            fee: 7,
            fee_accrued: false,
            payouts: vec![BatchPayout {
                submission: Pubkey::new_unique(),
                watermark: 10,
                gross: 100,
                fee: 7,
                commission: 10,
                commission_accrued: false,
                still_owed: 0,
            }],
        };
        let mut bytes = BatchPaid::DISCRIMINATOR.to_vec();
        event.serialize(&mut bytes).unwrap();
        let line = format!(
            "Program data: {}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
        let logs = vec![
            "Program log: hi".to_string(),
            line,
            "Program data: !!".to_string(),
        ];
        let found = decode::<BatchPaid>(&logs);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].payouts, event.payouts);
        assert!(decode::<PayoutMade>(&logs).is_empty());
    }
}
