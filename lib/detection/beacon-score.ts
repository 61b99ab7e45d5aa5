/**
 * Beacon scores for one connection series (one process to one destination IP and port), computed
 * as RITA v5 computes them, plus a jitter-tolerant periodicity measure reported beside them.
 *
 * Read from activecm/rita (v5): analysis/beacons.go (every score), analysis/analysis.go (which
 * inputs feed which score), analysis/spagooper.go (the per-connection lists), database/db.go
 * (GetBeaconMinMaxTimestamps: the analysis range), config/config.go (defaultConfig: the
 * parameters below); and montanaflynn/stats quartile.go, median.go, deviation.go, which RITA uses
 * for quartiles, medians and MAD.
 *
 * Where this module departs from RITA, the spec from our issue tracker decided it:
 * - Data size is sent + received bytes per connection; RITA scores src_ip_bytes (what the
 *   originator sent) only.
 * - A component that cannot be computed is null and left out of the combined score. RITA instead
 *   drops the whole series (an error from any component skips it).
 * - The analysis range is the caller's. RITA's is [max(first, last - 24 h), last] over the
 *   timestamps of every beacon-eligible connection in the dataset, not of this series.
 * - Timestamps are taken as given (fractional seconds allowed); RITA stores whole seconds, so
 *   callers wanting RITA's numbers to the digit pass whole seconds.
 *
 * Pure and deterministic. This module only computes numbers: whether a score makes a beacon is
 * a setting of the caller.
 */

export interface BeaconSeriesInput {
  /** Connection times in seconds (any order, may repeat). */
  timestampsSeconds: number[];
  /** Bytes of each connection (sent + received); null when unknown. Same length as timestamps or empty. */
  bytes: (number | null)[];
  /** The analysed time range in seconds [start, end] (e.g. the 24 h lookback); histogram and duration use it. */
  rangeSeconds: [number, number];
}

export interface BeaconScore {
  /** Equal-weight mean of the RITA components that exist, 3 decimals; 0 when none exists. */
  score: number;
  timestampScore: number | null;
  dataSizeScore: number | null;
  histogramScore: number | null;
  durationScore: number | null;
  /** See periodicityScore; not part of `score`. Null when too few connections. */
  periodicity: number | null;
  medianIntervalSeconds: number | null;
  /** MAD of intervals in seconds (the "jitter" shown to analysts). */
  intervalMadSeconds: number | null;
  connections: number;
  /** Connections at distinct times: what a beacon's minimum counts, as RITA counts unique timestamps. */
  distinctTimestamps: number;
}

/** RITA needs 3 non-zero intervals, hence 4 timestamps, for a timestamp score. */
export const MIN_TIMESTAMPS = 4;
export const MIN_NON_ZERO_INTERVALS = 3;
/** RITA's minimum for a data-size score (here: known byte values). */
export const MIN_DATA_SIZES = 3;
/** Below this inter-quartile range (seconds or bytes) RITA treats Bowley skewness as noise. */
export const BOWLEY_MIN_QUARTILE_SPREAD = 10;
/** RITA's beaconTimeSpan: the analysis range is cut into 24 bins (hours, for a 24 h range). */
export const HISTOGRAM_BINS = 24;
/** RITA's histogram_mode_sensitivity: bin heights within 5% of the tallest bin form one group. */
export const HISTOGRAM_MODE_SENSITIVITY = 0.05;
/** RITA's histogram_bimodal_outlier_removal: one non-empty bin may fall outside the two groups. */
export const HISTOGRAM_BIMODAL_OUTLIER_REMOVAL = 1;
/** RITA's histogram_bimodal_min_hours_seen. */
export const HISTOGRAM_BIMODAL_MIN_BINS = 11;
/** RITA's duration_min_hours_seen. */
export const DURATION_MIN_BINS = 6;
/** RITA's duration_consistency_ideal_hours_seen. */
export const DURATION_IDEAL_CONSECUTIVE_BINS = 12;
/**
 * The share of beats periodicityScore expects on schedule for Poisson arrivals (exponential gaps,
 * mean m; the period is their median m ln 2). A gap rounds to k periods with probability
 * 2^-k / sqrt 2 for k >= 1 and 1 - 1/sqrt 2 for k = 0, so on-schedule beats average
 * 1 * 1/(2 sqrt 2) + 2 * 1/(4 sqrt 2) = 1/sqrt 2 and all beats average
 * (1 - 1/sqrt 2) + (sum k 2^-k) / sqrt 2 = 1 + 1/sqrt 2; the share is their ratio, sqrt 2 - 1.
 */
export const POISSON_ON_SCHEDULE_SHARE = Math.SQRT2 - 1;
/** More beats than this in one gap is a pause between sessions, not missed beacons (see periodicityScore). */
export const SESSION_BREAK_PERIODS = 10;

/** Go's math.Round(x*1000)/1000; for the non-negative scores here JS Math.round is the same. */
function roundTo3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** RITA's duration rounding: math.Ceil(x*1000)/1000. */
function ceilTo3(value: number): number {
  return Math.ceil(value * 1000) / 1000;
}

function sortedAscending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of an already sorted, non-empty list; the mean of the middle two for an even count. */
function medianOfSorted(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  return medianOfSorted(sortedAscending(values));
}

/**
 * Bowley skewness (Q1 + Q3 - 2 Q2) / (Q3 - Q1). Q1 and Q3 are the medians of the lower and upper
 * halves, the middle element excluded from both when the count is odd (montanaflynn/stats).
 * 0 when Q3 - Q1 < 10 or Q2 equals Q1 or Q3: RITA treats such spreads as too small to be skew.
 */
export function bowleySkewness(values: readonly number[]): number {
  if (values.length < 3) throw new RangeError("Bowley skewness needs at least 3 values");
  const sorted = sortedAscending(values);
  const half = Math.floor(sorted.length / 2);
  const q1 = medianOfSorted(sorted.slice(0, half));
  const q2 = medianOfSorted(sorted);
  const q3 = medianOfSorted(sorted.slice(sorted.length - half));
  const spread = q3 - q1;
  if (spread < BOWLEY_MIN_QUARTILE_SPREAD || q2 === q1 || q2 === q3) return 0;
  return (q1 + q3 - 2 * q2) / spread;
}

/** median(|x - median|), unscaled (no 1.4826 normal-consistency factor), as RITA. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const center = median(values);
  return median(values.map((value) => Math.abs(value - center)));
}

/**
 * (median - MAD) / median, clamped at 0. Below a median of 1 RITA uses a fixed score: 0 for data
 * sizes, and 1 for intervals, which cannot happen with its whole seconds. Ours are fractional, where
 * a fixed 1 would rate an irregular sub-second burst perfectly regular: intervals keep the ratio.
 */
export function madScore(values: readonly number[], whenMedianBelowOne: "ratio" | 0): number {
  const center = median(values);
  if (center < 1 && (whenMedianBelowOne === 0 || center <= 0)) return 0;
  return Math.max(0, (center - medianAbsoluteDeviation(values)) / center);
}

/** RITA's calculateStatisticalScore: mean of the symmetry (1 - |Bowley skew|) and MAD scores, 3 decimals. */
export function skewAndMadScore(values: readonly number[], madScoreWhenMedianBelowOne: "ratio" | 0): number {
  const skewScore = 1 - Math.abs(bowleySkewness(values));
  return roundTo3((skewScore + madScore(values, madScoreWhenMedianBelowOne)) / 2);
}

/**
 * Gaps between consecutive sorted timestamps, sorted, zeros (repeated timestamps) dropped; null
 * with fewer than 4 timestamps or 3 non-zero gaps.
 */
export function beaconIntervals(timestampsSeconds: readonly number[]): number[] | null {
  if (timestampsSeconds.length < MIN_TIMESTAMPS) return null;
  const times = sortedAscending(timestampsSeconds);
  const gaps = times.slice(1).map((time, index) => time - times[index]);
  const nonZero = sortedAscending(gaps.filter((gap) => gap > 0));
  return nonZero.length < MIN_NON_ZERO_INTERVALS ? null : nonZero;
}

export function timestampScore(timestampsSeconds: readonly number[]): number | null {
  const intervals = beaconIntervals(timestampsSeconds);
  return intervals === null ? null : skewAndMadScore(intervals, "ratio");
}

/**
 * The same statistic on connection sizes. Unknown sizes are skipped: the known ones still show
 * whether the payload is constant. Null with fewer than 3 known sizes.
 */
export function dataSizeScore(bytes: readonly (number | null)[]): number | null {
  const known = bytes.filter((size): size is number => size !== null);
  return known.length < MIN_DATA_SIZES ? null : skewAndMadScore(known, 0);
}

function isValidRange([start, end]: readonly [number, number]): boolean {
  return end > start;
}

/**
 * Connections per bin over 24 equal bins of the range. As in RITA, a timestamp before the range
 * counts in the first bin and one at or after its end in the last (RITA's query reaches back to
 * the start of the hour, so such timestamps occur there).
 */
export function connectionHistogram(timestampsSeconds: readonly number[], rangeSeconds: readonly [number, number]): number[] {
  const [start, end] = rangeSeconds;
  const step = (end - start) / HISTOGRAM_BINS;
  // Edges as RITA computes them, so a timestamp on an edge lands in the same bin.
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, index) =>
    index === HISTOGRAM_BINS ? end : index === 0 ? start : start + index * step,
  );
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const time of timestampsSeconds) {
    let bin = 0;
    while (bin < HISTOGRAM_BINS - 1 && time >= edges[bin + 1]) bin++;
    counts[bin]++;
  }
  return counts;
}

/** 1 - (population standard deviation / mean) of the bin counts, 3 decimals; 0 when that ratio exceeds 1. */
export function coefficientOfVariationScore(binCounts: readonly number[]): number {
  const total = binCounts.reduce((sum, count) => sum + count, 0);
  if (total <= 0) throw new RangeError("coefficient of variation needs at least one connection");
  const mean = total / binCounts.length;
  const variance = binCounts.reduce((sum, count) => sum + (count - mean) * (count - mean), 0) / binCounts.length;
  const variation = Math.sqrt(variance) / mean;
  return variation > 1 ? 0 : roundTo3(1 - variation);
}

/**
 * RITA's bimodal fit: a beacon alternating between two rates has non-empty bins of two heights.
 * Heights are grouped in buckets of width ceil(5% of the tallest bin); the fit is the share of
 * non-empty bins in the two largest groups, one bin forgiven as an outlier; 3 decimals, at most 1.
 * 0 below 11 non-empty bins, where one or two bars would trivially look bimodal.
 */
export function bimodalFitScore(binCounts: readonly number[]): number {
  const nonEmpty = binCounts.filter((count) => count > 0);
  if (nonEmpty.length < HISTOGRAM_BIMODAL_MIN_BINS) return 0;
  const bucketWidth = Math.ceil(Math.max(...nonEmpty) * HISTOGRAM_MODE_SENSITIVITY);
  const groupSizes = new Map<number, number>();
  for (const count of nonEmpty) {
    const bucket = Math.floor(count / bucketWidth) * bucketWidth;
    groupSizes.set(bucket, (groupSizes.get(bucket) ?? 0) + 1);
  }
  const [largest, secondLargest = 0] = [...groupSizes.values()].sort((a, b) => b - a);
  const fit = (largest + secondLargest) / Math.max(nonEmpty.length - HISTOGRAM_BIMODAL_OUTLIER_REMOVAL, 1);
  return Math.min(1, roundTo3(fit));
}

/**
 * The larger of the flatness (CV) and bimodal-fit scores (each at most 1); null without connections
 * or with an empty range.
 */
export function histogramScore(timestampsSeconds: readonly number[], rangeSeconds: readonly [number, number]): number | null {
  if (timestampsSeconds.length === 0 || !isValidRange(rangeSeconds)) return null;
  const counts = connectionHistogram(timestampsSeconds, rangeSeconds);
  return Math.max(coefficientOfVariationScore(counts), bimodalFitScore(counts));
}

/** Longest run of consecutive non-empty bins, wrapping from the last bin to the first (as RITA). */
export function longestNonEmptyRun(binCounts: readonly number[]): number {
  let longest = 0;
  let current = 0;
  for (let index = 0; index < binCounts.length * 2; index++) {
    current = binCounts[index % binCounts.length] > 0 ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return Math.min(longest, binCounts.length);
}

/**
 * With at least 6 non-empty bins: the larger of coverage, (last - first connection) / (range end -
 * range start), and consistency, longest non-empty run (wrapping) / 12; each rounded up to 3
 * decimals and capped at 1, as RITA. 0 with fewer bins; null without connections or with an empty range.
 */
export function durationScore(timestampsSeconds: readonly number[], rangeSeconds: readonly [number, number]): number | null {
  if (timestampsSeconds.length === 0 || !isValidRange(rangeSeconds)) return null;
  const counts = connectionHistogram(timestampsSeconds, rangeSeconds);
  if (counts.filter((count) => count > 0).length < DURATION_MIN_BINS) return 0;
  const [start, end] = rangeSeconds;
  // reduce, not Math.max(...): a series can hold 86,400 timestamps, too many for spread arguments.
  const first = timestampsSeconds.reduce((min, time) => Math.min(min, time));
  const last = timestampsSeconds.reduce((max, time) => Math.max(max, time));
  const coverage = Math.min(1, ceilTo3((last - first) / (end - start)));
  const consistency = Math.min(1, ceilTo3(longestNonEmptyRun(counts) / DURATION_IDEAL_CONSECUTIVE_BINS));
  return Math.max(coverage, consistency);
}

/**
 * Equal weights over the components that exist, 3 decimals; 0 when none does. Summed in RITA's
 * order (timestamp, data size, duration, histogram), so with all four present the result equals
 * RITA's default 0.25 weights bit for bit.
 */
export function combinedBeaconScore(components: {
  timestampScore: number | null;
  dataSizeScore: number | null;
  durationScore: number | null;
  histogramScore: number | null;
}): number {
  const present = [components.timestampScore, components.dataSizeScore, components.durationScore, components.histogramScore].filter(
    (score): score is number => score !== null,
  );
  if (present.length === 0) return 0;
  return roundTo3(present.reduce((sum, score) => sum + score, 0) / present.length);
}

/**
 * Jitter-tolerant periodicity, beyond RITA. RITA's MAD score penalises any spread of intervals,
 * though implants jitter their sleep on purpose (30 s +/- 50% is ordinary).
 *
 * Why not the obvious measures: with +/-50% jitter on each sleep the phase of t mod P drifts as a
 * random walk, and the phase of each interval is uniform, so phase concentration (mean resultant
 * length of exp(2 pi i t / P)) falls to about 0 even for a real beacon; and "within +/-50% of P of
 * the nearest multiple of P" holds for every interval of at least P/2, so it barely separates
 * beacons from random traffic.
 *
 * The measure: take P = the median non-zero interval; an interval of x spans round(x / P) beats
 * (at least 1). It is on schedule when that is 1 or 2: x in [P/2, 3P/2) is one jittered beat, x in
 * [3P/2, 5P/2) is one missed beacon. share = on-schedule beats / all beats, so a missed beacon
 * costs nothing, an extra off-beat connection (x < P/2) adds an unexplained beat, and a long
 * silence adds many. A gap of more than SESSION_BREAK_PERIODS beats is a pause between sessions
 * (a laptop asleep overnight, an implant kept to working hours) and is left out: random arrivals
 * have one that long about once in a thousand gaps, so the baseline below barely moves.
 * Poisson traffic's expected share is sqrt 2 - 1 (POISSON_ON_SCHEDULE_SHARE),
 * so the score is chance-corrected, like Cohen's kappa: (share - baseline) / (1 - baseline),
 * clamped at 0, 3 decimals. 1 is on schedule throughout; 0 is no more regular than random arrivals.
 * Null with too few connections (as the timestamp score).
 */
export function periodicityScore(timestampsSeconds: readonly number[]): number | null {
  const intervals = beaconIntervals(timestampsSeconds);
  if (intervals === null) return null;
  const period = medianOfSorted(intervals);
  let beats = 0;
  let onScheduleBeats = 0;
  for (const interval of intervals) {
    const periods = Math.round(interval / period);
    if (periods > SESSION_BREAK_PERIODS) continue;
    beats += Math.max(periods, 1);
    if (periods === 1 || periods === 2) onScheduleBeats += periods;
  }
  const share = onScheduleBeats / beats;
  return roundTo3(Math.max(0, (share - POISSON_ON_SCHEDULE_SHARE) / (1 - POISSON_ON_SCHEDULE_SHARE)));
}

export function scoreBeaconSeries(input: BeaconSeriesInput): BeaconScore {
  const { timestampsSeconds, bytes, rangeSeconds } = input;
  const intervals = beaconIntervals(timestampsSeconds);
  const components = {
    timestampScore: timestampScore(timestampsSeconds),
    dataSizeScore: dataSizeScore(bytes),
    durationScore: durationScore(timestampsSeconds, rangeSeconds),
    histogramScore: histogramScore(timestampsSeconds, rangeSeconds),
  };
  return {
    score: combinedBeaconScore(components),
    ...components,
    periodicity: periodicityScore(timestampsSeconds),
    medianIntervalSeconds: intervals === null ? null : medianOfSorted(intervals),
    intervalMadSeconds: intervals === null ? null : medianAbsoluteDeviation(intervals),
    connections: timestampsSeconds.length,
    distinctTimestamps: new Set(timestampsSeconds).size,
  };
}
