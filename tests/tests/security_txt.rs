//! The built ELF carries the security.txt that explorers and `query-security-txt` read: the
//! marker-delimited, NUL-separated fields of `solana-security-txt`, found by scanning the file.

use clipstake_tests::program_elf;

const BEGIN: &[u8] = b"=======BEGIN SECURITY.TXT V1=======\0";
const END: &[u8] = b"=======END SECURITY.TXT V1=======\0";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The (field, value) pairs between the markers, as the security.txt parser reads them.
fn security_txt(elf: &[u8]) -> Vec<(String, String)> {
    let start = find(elf, BEGIN).expect("the ELF has no security.txt BEGIN marker") + BEGIN.len();
    let len = find(&elf[start..], END).expect("the ELF has no security.txt END marker");
    let parts: Vec<String> = elf[start..start + len]
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8(p.to_vec()).expect("security.txt is UTF-8"))
        .collect();
    assert!(
        parts.len().is_multiple_of(2),
        "fields and values pair up: {parts:?}"
    );
    parts
        .chunks(2)
        .map(|kv| (kv[0].clone(), kv[1].clone()))
        .collect()
}

#[test]
fn the_elf_embeds_security_txt_with_contacts_and_policy() {
    let fields = security_txt(&program_elf());
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("security.txt has no {name}: {fields:?}"))
    };
    assert_eq!(get("name"), "ClipStake");
    assert_eq!(get("project_url"), "https://github.com/clipstake/clipstake");
    assert_eq!(get("source_code"), "https://github.com/clipstake/clipstake");
    assert!(get("contacts").starts_with("link:https://"));
    assert!(get("policy").starts_with("https://"));
}
