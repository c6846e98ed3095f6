//! The median time to verify, read from the rollup's histogram. The rollup keeps counts per
//! bucket, not each time, so the median is approximate: the bucket that holds the middle
//! verification is known exactly, and the time within it is interpolated, assuming the
//! verifications of a bucket are spread evenly over it. The page says "approx.".

use countersign_store::{TIME_TO_VERIFY_BOUNDS_MS, TIME_TO_VERIFY_BUCKETS};

/// An approximate median time to verify.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MedianTime {
    /// About this many seconds.
    Seconds(f64),
    /// Longer than the last bound (10 minutes): the open bucket has no upper end.
    Over(i64),
}

impl MedianTime {
    /// For people: `42 s`, `2 min 5 s`, `over 10 min`.
    #[must_use]
    pub fn words(self) -> String {
        match self {
            Self::Seconds(s) => {
                #[allow(clippy::cast_possible_truncation)] // at most 600 s
                let s = s.round() as i64;
                if s < 60 {
                    format!("{s} s")
                } else if s % 60 == 0 {
                    format!("{} min", s / 60)
                } else {
                    format!("{} min {} s", s / 60, s % 60)
                }
            }
            Self::Over(ms) => format!("over {} min", ms / 60_000),
        }
    }

    /// Seconds, for the CSV (the last bound for [`MedianTime::Over`]).
    #[must_use]
    pub fn seconds(self) -> f64 {
        match self {
            Self::Seconds(s) => s,
            #[allow(clippy::cast_precision_loss)]
            Self::Over(ms) => ms as f64 / 1000.0,
        }
    }
}

/// The median of a histogram over the rollup's buckets; `None` when it is empty.
#[must_use]
#[allow(clippy::cast_precision_loss)] // counts and bounds far below 2^52
pub fn median_time(buckets: &[i64; TIME_TO_VERIFY_BUCKETS]) -> Option<MedianTime> {
    let n: i64 = buckets.iter().sum();
    if n <= 0 {
        return None;
    }
    // The middle of n sorted times: its rank among them, counted from 0.
    let middle = n as f64 / 2.0;
    let mut before = 0i64;
    for (i, &count) in buckets.iter().enumerate() {
        if count > 0 && (before + count) as f64 >= middle {
            let Some(&upper) = TIME_TO_VERIFY_BOUNDS_MS.get(i) else {
                return Some(MedianTime::Over(TIME_TO_VERIFY_BOUNDS_MS[i - 1]));
            };
            let lower = if i == 0 {
                0
            } else {
                TIME_TO_VERIFY_BOUNDS_MS[i - 1]
            };
            let share = (middle - before as f64) / count as f64;
            let ms = lower as f64 + share * (upper - lower) as f64;
            return Some(MedianTime::Seconds(ms / 1000.0));
        }
        before += count;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(m: Option<MedianTime>) -> f64 {
        match m {
            Some(MedianTime::Seconds(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_histogram_has_no_median() {
        assert_eq!(median_time(&[0; TIME_TO_VERIFY_BUCKETS]), None);
    }

    #[test]
    fn the_median_is_interpolated_within_its_bucket() {
        // Ten in 0–15 s and ten in 30–60 s: the middle is the end of the first bucket.
        let mut b = [0; TIME_TO_VERIFY_BUCKETS];
        b[0] = 10;
        b[2] = 10;
        assert!((seconds(median_time(&b)) - 15.0).abs() < 1e-9);
        // Four in 60–120 s only: the middle is the bucket's middle.
        let mut b = [0; TIME_TO_VERIFY_BUCKETS];
        b[3] = 4;
        assert!((seconds(median_time(&b)) - 90.0).abs() < 1e-9);
        // One in 0–15 s, three in 15–30 s: the middle (rank 2) is a third into the second.
        let mut b = [0; TIME_TO_VERIFY_BUCKETS];
        b[0] = 1;
        b[1] = 3;
        assert!((seconds(median_time(&b)) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn a_median_in_the_open_bucket_says_over() {
        let mut b = [0; TIME_TO_VERIFY_BUCKETS];
        b[TIME_TO_VERIFY_BUCKETS - 1] = 3;
        b[0] = 1;
        assert_eq!(median_time(&b), Some(MedianTime::Over(600_000)));
        assert_eq!(MedianTime::Over(600_000).words(), "over 10 min");
    }

    #[test]
    fn times_read_as_words() {
        assert_eq!(MedianTime::Seconds(42.4).words(), "42 s");
        assert_eq!(MedianTime::Seconds(125.0).words(), "2 min 5 s");
        assert_eq!(MedianTime::Seconds(120.0).words(), "2 min");
    }
}
