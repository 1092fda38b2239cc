/**
 * VK's second model reports `emotion` (one of Neutral, Happiness, Sadness, Surprise, Fear, Disgust,
 * Anger, Contempt) with `valence` and `arousal` in [-1, 1]. face-api gives probabilities over seven
 * expressions (no contempt). The emotion is the likeliest expression in VK's words. Valence and
 * arousal are not measured by any model here: they are derived, as the expected position on
 * Russell's circumplex of affect, each expression placed at the point the circumplex literature
 * commonly puts it (happiness pleasant and moderately aroused, sadness unpleasant and calm, …),
 * weighted by its probability. They are an honest summary of the expression probabilities, not
 * an independent measurement.
 */
export type Expression = 'neutral' | 'happy' | 'sad' | 'angry' | 'fearful' | 'disgusted' | 'surprised';

export type VkEmotion = 'Neutral' | 'Happiness' | 'Sadness' | 'Surprise' | 'Fear' | 'Disgust' | 'Anger' | 'Contempt';

const EMOTION: Readonly<Record<Expression, VkEmotion>> = {
  neutral: 'Neutral',
  happy: 'Happiness',
  sad: 'Sadness',
  angry: 'Anger',
  fearful: 'Fear',
  disgusted: 'Disgust',
  surprised: 'Surprise',
};

/** [valence, arousal] of each expression on the circumplex. */
const CIRCUMPLEX: Readonly<Record<Expression, readonly [number, number]>> = {
  neutral: [0, 0],
  happy: [0.8, 0.5],
  sad: [-0.7, -0.4],
  angry: [-0.6, 0.7],
  fearful: [-0.6, 0.8],
  disgusted: [-0.7, 0.3],
  surprised: [0.2, 0.9],
};

export interface Affect {
  readonly emotion: VkEmotion;
  readonly valence: number;
  readonly arousal: number;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const clamp = (value: number) => Math.max(-1, Math.min(1, value));

export function affectOf(expressions: Readonly<Record<Expression, number>>): Affect {
  const entries = Object.entries(expressions) as Array<[Expression, number]>;
  const total = entries.reduce((sum, [, probability]) => sum + Math.max(0, probability), 0) || 1;
  let valence = 0;
  let arousal = 0;
  let likeliest: [Expression, number] = ['neutral', -1];
  for (const [expression, probability] of entries) {
    const weight = Math.max(0, probability) / total;
    valence += weight * CIRCUMPLEX[expression][0];
    arousal += weight * CIRCUMPLEX[expression][1];
    if (probability > likeliest[1]) likeliest = [expression, probability];
  }
  return { emotion: EMOTION[likeliest[0]], valence: round(clamp(valence)), arousal: round(clamp(arousal)) };
}
