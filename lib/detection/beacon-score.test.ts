import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random";
import {
  bimodalFitScore,
  bowleySkewness,
  coefficientOfVariationScore,
  combinedBeaconScore,
  connectionHistogram,
  dataSizeScore,
  durationScore,
  histogramScore,
  longestNonEmptyRun,
  madScore,
  medianAbsoluteDeviation,
  periodicityScore,
  scoreBeaconSeries,
  timestampScore,
} from "./beacon-score";

const HOUR = 3600;
const DAY: [number, number] = [0, 24 * HOUR];

/** count timestamps every `step` seconds from `start`. */
function every(step: number, count: number, start = 0): number[] {
  return Array.from({ length: count }, (_, index) => start + index * step);
}

/** One connection (30 s past the hour) in each listed hour of DAY. */
function inHours(hours: number[]): number[] {
  return hours.map((hour) => hour * HOUR + 30);
}

function seriesWithGaps(gapSeconds: (random: () => number) => number, seed: number, gaps: number): number[] {
  const random = seededRandom(seed);
  const times = [0];
  for (let index = 0; index < gaps; index++) times.push(times[times.length - 1] + gapSeconds(random));
  return times;
}

describe("bowleySkewness", () => {
  it.each([
    // odd (7): Q2 = 40; halves without it [10,20,30] -> Q1 20, [80,120,200] -> Q3 120; (20+120-80)/100
    { values: [200, 10, 80, 30, 120, 20, 40], skewness: 0.6 },
    // even (8): Q2 = (7+9)/2 = 8; [1,3,5,7] -> Q1 4; [9,21,41,61] -> Q3 31; (4+31-16)/27
    { values: [1, 3, 5, 7, 9, 21, 41, 61], skewness: 19 / 27 },
    // negative: Q1 (100+800)/2 = 450, Q2 1000, Q3 (1010+1020)/2 = 1015; (450+1015-2000)/565
    { values: [100, 800, 1000, 1010, 1020], skewness: -535 / 565 },
    // Q1 10.5, Q2 12, Q3 18.5: Q3 - Q1 = 8 < 10, so 0 (the formula would give 5/8)
    { values: [10, 11, 12, 18, 19], skewness: 0 },
    // Q1 = median [5,5,5] = 5 = Q2, Q3 90: 0 (the formula would give (5+90-10)/85 = 1)
    { values: [5, 5, 5, 5, 40, 90, 100], skewness: 0 },
    // Q1 = median [1,20,50] = 20, Q2 = (50+50)/2 = 50 = Q3: 0 (the formula would give -1)
    { values: [1, 20, 50, 50, 50, 50], skewness: 0 },
  ])("$values -> $skewness", ({ values, skewness }) => {
    expect(bowleySkewness(values)).toBe(skewness);
  });

  it("needs three values, as RITA", () => {
    expect(() => bowleySkewness([1, 2])).toThrow(RangeError);
  });
});

describe("medianAbsoluteDeviation and madScore", () => {
  it.each([
    // median 3; |x - 3| = [2,1,0,1,97] -> sorted [0,1,1,2,97] -> 1
    { values: [1, 2, 3, 4, 100], mad: 1 },
    // median 5; |x - 5| = [3,1,1,3] -> (1+3)/2 = 2 (no 1.4826 scaling)
    { values: [2, 4, 6, 8], mad: 2 },
  ])("MAD of $values is $mad", ({ values, mad }) => {
    expect(medianAbsoluteDeviation(values)).toBe(mad);
  });

  it("is (median - MAD) / median from a median of 1 up", () => {
    // median 30; |x - 30| = [20,10,0,10,20] -> MAD 10; (30 - 10) / 30
    expect(madScore([10, 20, 30, 40, 50], "ratio")).toBe(20 / 30);
  });

  it("is clamped at 0", () => {
    // median 1; |x - 1| = [11,11,0,19,29] -> MAD 11; (1 - 11) / 1 = -10 -> 0
    expect(madScore([-10, -10, 1, 20, 30], "ratio")).toBe(0);
  });

  it("below a median of 1 is still the ratio for intervals (fractional seconds), and 0 for data sizes", () => {
    // median (0.5 + 0.5) / 2 = 0.5; |x - 0.5| = [0.3, 0, 0, 0.4] -> MAD 0.15; (0.5 - 0.15) / 0.5
    expect(madScore([0.2, 0.5, 0.5, 0.9], "ratio")).toBe((0.5 - 0.3 / 2) / 0.5);
    expect(madScore([0.2, 0.5, 0.5, 0.9], 0)).toBe(0);
  });
});

describe("timestampScore", () => {
  it("does not rate irregular sub-second intervals as perfectly regular", () => {
    // Intervals 0.2, 0.5, 0.5, 0.9: skew 0 (quartile spread 0.35 < 10), so symmetry 1; MAD score 0.7 (above).
    expect(timestampScore([0, 0.2, 0.7, 1.2, 2.1])).toBe(0.85);
  });

  it("is 1 for a perfect 60 s beacon", () => {
    // intervals all 60: Q3 - Q1 = 0 -> skew 0 -> 1; MAD 0 -> (60 - 0)/60 = 1; (1 + 1)/2
    expect(timestampScore(every(60, 11))).toBe(1);
  });

  it("sorts the timestamps and drops repeats (zero intervals)", () => {
    // sorted 0,60,60,120,180,240 -> intervals [60,0,60,60,60] -> four 60s -> 1
    expect(timestampScore([120, 0, 60, 60, 180, 240])).toBe(1);
  });

  it("scores a hand-built irregular list", () => {
    // intervals [10,30,60,100,200,300]: Q1 30, Q2 (60+100)/2 = 80, Q3 200
    // skew (30+200-160)/170 = 7/17 -> skew score 10/17 = 0.588235
    // |x - 80| = [70,50,20,20,120,220] -> sorted [20,20,50,70,120,220] -> MAD 60 -> (80-60)/80 = 0.25
    // (0.588235 + 0.25) / 2 = 0.419118 -> 0.419
    expect(timestampScore([0, 10, 40, 100, 200, 400, 700])).toBe(0.419);
  });

  it.each([
    { case: "3 timestamps", times: [0, 60, 120] },
    { case: "2 non-zero intervals", times: [0, 0, 0, 60, 120] },
  ])("is null with $case", ({ times }) => {
    expect(timestampScore(times)).toBeNull();
  });
});

describe("dataSizeScore", () => {
  it("is 1 for constant sizes", () => {
    // spread 0 -> skew 0 -> 1; MAD 0 -> 1
    expect(dataSizeScore([512, 512, 512, 512])).toBe(1);
  });

  it("skips unknown sizes", () => {
    // known [512,512,520,2000]: Q1 512, Q2 516, Q3 (520+2000)/2 = 1260
    // skew (512+1260-1032)/748 = 740/748 -> skew score 8/748 = 0.010695
    // |x - 516| = [4,4,4,1484] -> MAD 4 -> (516-4)/516 = 0.992248
    // (0.010695 + 0.992248) / 2 = 0.501472 -> 0.501
    expect(dataSizeScore([512, null, 512, 520, 2000])).toBe(0.501);
  });

  it("scores skew by its size, not its sign", () => {
    // skewness -535/565 (above) -> skew score 1 - 535/565 = 0.053097
    // |x - 1000| = [900,200,0,10,20] -> sorted [0,10,20,200,900] -> MAD 20 -> (1000-20)/1000 = 0.98
    // (0.053097 + 0.98) / 2 = 0.516549 -> 0.517
    expect(dataSizeScore([100, 800, 1000, 1010, 1020])).toBe(0.517);
  });

  it("scores a median below 1 as MAD score 0", () => {
    // [0,0,0,5]: median 0 -> MAD score 0; Q1 0, Q3 (0+5)/2 = 2.5 -> spread < 10 -> skew score 1; (1+0)/2
    expect(dataSizeScore([0, 0, 0, 5])).toBe(0.5);
  });

  it.each([
    { case: "2 known sizes", bytes: [100, null, null, 200] },
    { case: "no sizes", bytes: [] },
  ])("is null with $case", ({ bytes }) => {
    expect(dataSizeScore(bytes)).toBeNull();
  });
});

describe("connectionHistogram", () => {
  it("cuts the range into 24 bins, clamping timestamps outside it to the end bins", () => {
    // -5 -> bin 0 (before the range); 3599 -> bin 0; 3600 is bin 1's lower edge; 86400 (the end) and 90000 -> bin 23
    const counts = connectionHistogram([-5, 3599, 3600, 86_400, 90_000], DAY);
    expect(counts).toEqual([2, 1, ...new Array(21).fill(0), 2]);
  });
});

describe("coefficientOfVariationScore", () => {
  it.each([
    // flat: sd 0 -> 1 - 0
    { case: "flat", counts: new Array(24).fill(2), score: 1 },
    // 12 x 3 and 12 x 1: mean 2, sd 1 -> 1 - 0.5
    { case: "two levels", counts: [...new Array(12).fill(3), ...new Array(12).fill(1)], score: 0.5 },
    // 18 x 2 and 6 x 0: mean 1.5, variance (18*0.25 + 6*2.25)/24 = 0.75, sd 0.866025 -> cv 0.577350 -> 0.422650
    { case: "rounded", counts: [...new Array(18).fill(2), ...new Array(6).fill(0)], score: 0.423 },
    // one bin of 24: mean 1, variance (23^2 + 23)/24 = 23 -> cv 4.80 > 1 -> 0
    { case: "cv above 1", counts: [24, ...new Array(23).fill(0)], score: 0 },
  ])("$case -> $score", ({ counts, score }) => {
    expect(coefficientOfVariationScore(counts)).toBe(score);
  });
});

describe("bimodalFitScore", () => {
  it("is 0 with fewer than 11 non-empty bins", () => {
    // 10 equal bars would otherwise fit 10/9 -> 1
    expect(bimodalFitScore([...new Array(10).fill(5), ...new Array(14).fill(0)])).toBe(0);
  });

  it("is capped at 1 for a beacon alternating between two rates", () => {
    // tallest 10 -> bucket width ceil(0.5) = 1; groups {10: 12, 2: 12}; (12+12)/(24-1) = 24/23 -> 1
    expect(bimodalFitScore([...new Array(12).fill(10), ...new Array(12).fill(2)])).toBe(1);
  });

  it("groups heights in buckets of 5% of the tallest bar", () => {
    // 13 non-empty; tallest 50 -> width ceil(2.5) = 3; floor(h/3)*3:
    // 50,49,48,50,49 -> 48 (5); 20,19,18,20 -> 18 (4); 7 -> 6; 3 -> 3; 1 -> 0; 30 -> 30
    // (5 + 4) / (13 - 1) = 0.75
    const counts = [50, 49, 48, 50, 49, 20, 19, 18, 20, 7, 3, 1, 30, ...new Array(11).fill(0)];
    expect(bimodalFitScore(counts)).toBe(0.75);
  });
});

describe("histogramScore", () => {
  it("takes the bimodal fit when it is the larger", () => {
    // 4 connections in even hours, 1 in odd: cv = 1.5/2.5 = 0.6 -> 0.4; bimodal groups {4: 12, 1: 12} -> 24/23 -> 1
    const times = Array.from({ length: 24 }, (_, hour) => every(60, hour % 2 === 0 ? 4 : 1, hour * HOUR)).flat();
    expect(histogramScore(times, DAY)).toBe(1);
  });

  it("takes the CV score when it is the larger", () => {
    // hour h holds h + 1 connections (1..24): mean 12.5, variance (24^2 - 1)/12 = 47.916667, sd 6.922187
    // cv 0.553775 -> 0.446; bimodal: width ceil(1.2) = 2 -> groups of at most 2 -> (2+2)/23 = 0.174
    const times = Array.from({ length: 24 }, (_, hour) => every(60, hour + 1, hour * HOUR)).flat();
    expect(histogramScore(times, DAY)).toBe(0.446);
  });

  it.each([
    { case: "no connections", times: [], range: DAY },
    { case: "an empty range", times: [10], range: [10, 10] as [number, number] },
  ])("is null with $case", ({ times, range }) => {
    expect(histogramScore(times, range)).toBeNull();
  });
});

describe("durationScore", () => {
  it.each([
    // 5 non-empty hours < 6 -> 0 (coverage would be 4/24)
    { case: "fewer than 6 hours", hours: [0, 1, 2, 3, 4], score: 0 },
    // run 12 -> 12/12 = 1; coverage 11/24 -> 0.459
    { case: "a 12 h continuous run", hours: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], score: 1 },
    // run 7 -> 7/12 = 0.58333 rounded UP -> 0.584; coverage 6/24 = 0.25
    { case: "a partial run (rounded up)", hours: [0, 1, 2, 3, 4, 5, 6], score: 0.584 },
    // run 1 -> 1/12 -> 0.084; coverage 20/24 = 0.83333 -> 0.834
    { case: "coverage over consistency", hours: [0, 4, 8, 12, 16, 20], score: 0.834 },
    // 18..23 then 0..5: run 12 only when wrapping -> 1 (else max(coverage 23/24 -> 0.959, 6/12))
    { case: "a run wrapping past midnight", hours: [0, 1, 2, 3, 4, 5, 18, 19, 20, 21, 22, 23], score: 1 },
  ])("$case -> $score", ({ hours, score }) => {
    expect(durationScore(inHours(hours), DAY)).toBe(score);
  });

  it("caps coverage at 1 when connections reach outside the range", () => {
    // bins 0 (-3600 clamped, 0), 3, 6, 12, 18, 23 (90000 clamped): 6 non-empty
    // coverage (90000 + 3600)/86400 = 1.0833 -> 1; run 23,0 wrapping = 2 -> 2/12 -> 0.167
    expect(durationScore([-HOUR, 0, 3 * HOUR, 6 * HOUR, 12 * HOUR, 18 * HOUR, 90_000], DAY)).toBe(1);
  });

  it("is null without connections", () => {
    expect(durationScore([], DAY)).toBeNull();
  });

  it("counts the longest run across the wrap", () => {
    // 6 at the end + 6 at the start = 12; all 24 non-empty is 24, not 48
    expect(longestNonEmptyRun([...new Array(6).fill(1), ...new Array(12).fill(0), ...new Array(6).fill(1)])).toBe(12);
    expect(longestNonEmptyRun(new Array(24).fill(1))).toBe(24);
  });
});

describe("combinedBeaconScore", () => {
  it.each([
    // RITA's own case: (0.1 + 0.2 + 0.3 + 0.4) * 0.25 = 0.25
    { timestampScore: 0.1, dataSizeScore: 0.2, durationScore: 0.3, histogramScore: 0.4, score: 0.25 },
    // data size left out, not counted as 0: (0.9 + 1 + 0.5)/3 = 0.8 (as 0 it would be 0.6)
    { timestampScore: 0.9, dataSizeScore: null, durationScore: 1, histogramScore: 0.5, score: 0.8 },
    // (1 + 0.5 + 0.25)/3 = 0.58333 -> 0.583
    { timestampScore: 1, dataSizeScore: 0.5, durationScore: 0.25, histogramScore: null, score: 0.583 },
    { timestampScore: null, dataSizeScore: null, durationScore: null, histogramScore: null, score: 0 },
  ])("$timestampScore $dataSizeScore $durationScore $histogramScore -> $score", ({ score, ...components }) => {
    expect(combinedBeaconScore(components)).toBe(score);
  });
});

describe("periodicityScore", () => {
  // score = (share - b) / (1 - b), b = sqrt 2 - 1 = 0.414214, 1 - b = 0.585786
  it.each([
    // every interval one beat: share 1 -> 1
    { case: "a perfect beacon", times: every(60, 11), score: 1 },
    // intervals [60,60,120,60,60], P 60: the 120 is one missed beacon (2 beats, on schedule) -> 6/6 -> 1
    { case: "a missed beacon", times: [0, 60, 120, 240, 300, 360], score: 1 },
    // intervals [10,10,10,20,3], P 10: 3 -> 0 periods (1 beat, off); 20 -> 2 beats; share 5/6
    // (0.833333 - 0.414214)/0.585786 = 0.715482 -> 0.715
    { case: "an extra off-beat connection", times: [0, 10, 20, 30, 50, 53], score: 0.715 },
    // intervals [5,10,10,10,25], P 10: 5 rounds to 1 beat (on); 25 rounds to 3 beats (off); share 4/7
    // (0.571429 - 0.414214)/0.585786 = 0.268381 -> 0.268
    { case: "the window edges P/2 (in) and 5P/2 (out)", times: [0, 5, 15, 25, 35, 60], score: 0.268 },
    // intervals [10,10,10,10,100], P 10: share 4/(4 + 10) = 0.286 < b -> 0
    { case: "a long silence", times: [0, 10, 20, 30, 40, 140], score: 0 },
    // intervals [10,10,10,10,110,10,10], P 10: 110 is 11 periods, more than 10: a pause, left out -> 6/6 -> 1
    { case: "a pause between sessions (a laptop asleep overnight)", times: [0, 10, 20, 30, 40, 150, 160, 170], score: 1 },
  ])("$case -> $score", ({ times, score }) => {
    expect(periodicityScore(times)).toBe(score);
  });

  it("is null with too few connections", () => {
    expect(periodicityScore([0, 60, 120])).toBeNull();
  });

  it("keeps a 30 s +/- 50% jitter beacon high and exponential-gap traffic low", () => {
    // 200 gaps each. Over 2,000 seeds (n = 200) the jitter beacon averaged 0.989 (sd 0.018, lowest
    // 0.872) and exponential gaps of mean 30 s 0.034 (sd 0.051, highest 0.288), so 0.8 and 0.3
    // leave 10 and 5 standard deviations.
    const jitter = seriesWithGaps((random) => 30 * (0.5 + random()), 42, 200);
    const poisson = seriesWithGaps((random) => -30 * Math.log(1 - random()), 42, 200);
    const jitterPeriodicity = periodicityScore(jitter) as number;
    const poissonPeriodicity = periodicityScore(poisson) as number;
    expect(jitterPeriodicity).toBeGreaterThanOrEqual(0.8);
    expect(poissonPeriodicity).toBeLessThanOrEqual(0.3);
    // RITA's timestamp score separates the same two series by less (0.871 vs 0.558 at this seed).
    expect(jitterPeriodicity - poissonPeriodicity).toBeGreaterThan((timestampScore(jitter) as number) - (timestampScore(poisson) as number));
  });
});

describe("scoreBeaconSeries", () => {
  it("scores a perfect 10-minute beacon over the whole day as 1 everywhere", () => {
    // 144 connections every 600 s: intervals all 600 -> timestamp 1; sizes constant -> 1;
    // 6 per hour -> CV 0 -> histogram 1; 24 hours, run 24 -> duration min(1, 24/12) = 1; periodicity 1
    expect(scoreBeaconSeries({ timestampsSeconds: every(600, 144), bytes: new Array(144).fill(1000), rangeSeconds: DAY })).toEqual({
      score: 1,
      timestampScore: 1,
      dataSizeScore: 1,
      histogramScore: 1,
      durationScore: 1,
      periodicity: 1,
      medianIntervalSeconds: 600,
      intervalMadSeconds: 0,
      connections: 144,
      distinctTimestamps: 144,
    });
  });

  it("leaves unknown components out of the combined score", () => {
    // 48 connections every 600 s in hours 0-7, no sizes: timestamp 1; data size null;
    // 8 bins of 6: mean 2, variance (8*16 + 16*4)/24 = 8 -> cv 1.41 -> 0, 8 < 11 bins -> bimodal 0 -> histogram 0;
    // duration max(coverage 28200/86400 = 0.326 -> 0.327, run 8/12 = 0.6667 -> 0.667) = 0.667
    // combined (1 + 0.667 + 0)/3 = 0.555667 -> 0.556
    expect(scoreBeaconSeries({ timestampsSeconds: every(600, 48), bytes: [], rangeSeconds: DAY })).toEqual({
      score: 0.556,
      timestampScore: 1,
      dataSizeScore: null,
      histogramScore: 0,
      durationScore: 0.667,
      periodicity: 1,
      medianIntervalSeconds: 600,
      intervalMadSeconds: 0,
      connections: 48,
      distinctTimestamps: 48,
    });
  });

  it("reports the median interval and its MAD", () => {
    // intervals [10,30,60,100,200,300]: median 80, MAD 60 (worked in timestampScore above)
    const result = scoreBeaconSeries({ timestampsSeconds: [0, 10, 40, 100, 200, 400, 700], bytes: [], rangeSeconds: DAY });
    expect([result.medianIntervalSeconds, result.intervalMadSeconds, result.timestampScore]).toEqual([80, 60, 0.419]);
  });

  it("has no interval statistics with too few connections", () => {
    // 3 connections in hour 0: histogram one bar of 3 -> cv 4.8 -> 0; duration 1 bin -> 0; sizes 2 known -> null
    expect(scoreBeaconSeries({ timestampsSeconds: [0, 600, 1200], bytes: [100, null, 100], rangeSeconds: DAY })).toEqual({
      score: 0,
      timestampScore: null,
      dataSizeScore: null,
      histogramScore: 0,
      durationScore: 0,
      periodicity: null,
      medianIntervalSeconds: null,
      intervalMadSeconds: null,
      connections: 3,
      distinctTimestamps: 3,
    });
  });
});
