//! The order go-yaml v2 writes map keys in: `keyList.Less` (sorter.go), a "natural" order in
//! which letters sort after other characters and runs of digits compare by value, applied by
//! Go 1.24's `sort.Sort` ([`crate::golang::sort`]). `Less` is not
//! transitive for every key set (`"2" < "10" < "1a" < "2"`), so the sort algorithm itself
//! decides some orders: it is ported step for step rather than replaced by Rust's sort. For
//! such key sets Go's own output varies from run to run (keys come from a Go map, whose
//! iteration order is random), so kubestep's fixed order is one of the real tool's orders.

use crate::golang::unicode::{is_digit, is_letter};

/// `keyList.Less` for two string keys (JSON objects only have string keys).
pub fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = is_letter(ar[i]);
        let bl = is_letter(br[i]);
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                if ar[j - 1] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
                j -= 1;
            }
        }
        // Go computes `rune - '0'` for any digit, also the non-ASCII ones, in wrapping int64.
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u32 as i32 - '0' as i32));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u32 as i32 - '0' as i32));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// `sort.Sort(keyList(keys))`.
pub(super) fn sort_keys<T>(data: &mut [T], key: impl Fn(&T) -> &str) {
    crate::golang::sort::sort(data, |x: &T, y: &T| key_less(key(x), key(y)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        sort_keys(&mut v, |s| s.as_str());
        v
    }

    #[test]
    fn digits_compare_by_value_and_letters_come_last() {
        assert_eq!(
            sorted(&["a10", "a9", "a1", "b", "A", "_x", "1"]),
            ["_x", "1", "A", "a1", "a9", "a10", "b"]
        );
        assert_eq!(sorted(&["01", "1", "001"]), ["1", "01", "001"]);
        assert!(key_less("file1.txt", "file10"));
        assert!(key_less("é", "z") == ('é' < 'z'));
    }

    #[test]
    fn the_sort_is_go_sort_for_long_key_lists() {
        // More than twelve keys go through pdqsort's partitioning; the result must still be
        // ordered by key_less where key_less is a strict order.
        let keys: Vec<String> = (0..200).rev().map(|i| format!("k{i}")).collect();
        let mut v = keys.clone();
        sort_keys(&mut v, |s| s.as_str());
        let want: Vec<String> = (0..200).map(|i| format!("k{i}")).collect();
        assert_eq!(v, want);
    }
}
