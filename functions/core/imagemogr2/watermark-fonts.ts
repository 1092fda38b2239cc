import { fail } from './rule-values.ts';

/** The three fonts that ship with Tessera (npm @expo-google-fonts/*, OFL-1.1); the worker knows their files. */
export const SHIPPED_FONTS = ['Noto Sans', 'Noto Serif', 'Noto Sans SC'] as const;
export type ShippedFont = (typeof SHIPPED_FONTS)[number];

/** Each shipped font's regular TTF, as its npm package installs it (package.json pins them). */
export const SHIPPED_FONT_FILES: Readonly<Record<ShippedFont, string>> = {
  'Noto Sans': '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  'Noto Serif': '@expo-google-fonts/noto-serif/400Regular/NotoSerif_400Regular.ttf',
  'Noto Sans SC': '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
};

/**
 * Tencent's documented font names (the Chinese list, 460/19568, and the English one, 1045/40681)
 * in their canonical spelling, and the shipped fonts each is drawn with, in fallback order: Latin
 * fonts fall back to Noto Sans SC, so Chinese text in the default tahoma.ttf still has glyphs.
 */
export const FONTS: Readonly<Record<string, readonly ShippedFont[]>> = {
  'tahoma.ttf': ['Noto Sans', 'Noto Sans SC'],
  'Arial.ttf': ['Noto Sans', 'Noto Sans SC'],
  'Ariblk.ttf': ['Noto Sans', 'Noto Sans SC'],
  'Ahronbd.ttf': ['Noto Sans', 'Noto Sans SC'],
  'Helvetica.dfont': ['Noto Sans', 'Noto Sans SC'],
  'HelveticaNeue.dfont': ['Noto Sans', 'Noto Sans SC'],
  'SimSun.ttc': ['Noto Serif', 'Noto Sans SC'],
  'SimFang.ttf': ['Noto Serif', 'Noto Sans SC'],
  'SimKai.ttf': ['Noto Serif', 'Noto Sans SC'],
  'SimHei.ttf': ['Noto Sans SC'],
  'STHeiti-Light.ttc': ['Noto Sans SC'],
  'STHeiti-Medium.ttc': ['Noto Sans SC'],
  'YouYuan.ttf': ['Noto Sans SC'],
};

export const DEFAULT_FONT = 'tahoma.ttf';

/** Chinese names the Chinese list gives beside (or instead of) the file name. */
const CHINESE_NAMES: Readonly<Record<string, string>> = {
  仿宋: 'simfang',
  黑体: 'simhei',
  楷体: 'simkai',
  宋体: 'simsun',
  华文黑体: 'stheitilight',
  幼圆: 'youyuan',
};

/** A name as both lists spell it, reduced to letters: `simhei黑体.ttf`, `SimHei.ttf` and `STHeiti Light华文黑体.ttc` alike. */
function key(name: string): string {
  const stem = name.replace(/\.(ttf|ttc|otf|dfont)$/i, '');
  const latin = stem.replace(/[^A-Za-z]/g, '').toLowerCase();
  return latin || CHINESE_NAMES[stem.trim()] || '';
}

const BY_KEY = new Map(Object.keys(FONTS).map((name) => [key(name), name]));

/** The canonical spelling of a documented font name; an unknown one is refused with the list. */
export function fontName(name: string): string {
  return BY_KEY.get(key(name)) ?? fail(`font "${name}" is not one of ${Object.keys(FONTS).join(', ')}`);
}
