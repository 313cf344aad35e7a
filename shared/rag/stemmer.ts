/**
 * The English (Porter2) stemmer of the Snowball project (snowballstem.org/algorithms/english),
 * written from its published description: "connections", "connected" and "connecting" all
 * become "connect", so a paraphrase that inflects a word differently still meets it. String
 * operations on the word's end only: linear, whatever the word.
 */
const vowels = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const doubles = new Set(['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt']);
const liEndings = new Set(['c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't']);

const exceptions = new Map([
  ['skis', 'ski'], ['skies', 'sky'], ['dying', 'die'], ['lying', 'lie'], ['tying', 'tie'], ['idly', 'idl'], ['gently', 'gentl'], ['ugly', 'ugli'],
  ['early', 'earli'], ['only', 'onli'], ['singly', 'singl'], ['sky', 'sky'], ['news', 'news'], ['howe', 'howe'], ['atlas', 'atlas'], ['cosmos', 'cosmos'],
  ['bias', 'bias'], ['andes', 'andes'],
]);
const afterStep1a = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed']);

const isVowel = (word: string, i: number) => vowels.has(word[i] as string);

/** Start of the region after the first non-vowel that follows a vowel, from `from`. */
function regionAfter(word: string, from: number): number {
  for (let i = from + 1; i < word.length; i++) if (!isVowel(word, i) && isVowel(word, i - 1)) return i + 1;
  return word.length;
}

/** A short syllable ends the word at `end`: non-vowel, vowel, non-vowel (not w, x, Y); or vowel, non-vowel at the start. */
function endsInShortSyllable(word: string, end = word.length): boolean {
  if (end === 2) return isVowel(word, 0) && !isVowel(word, 1);
  if (end < 3) return false;
  const last = word[end - 1] as string;
  return !isVowel(word, end - 3) && isVowel(word, end - 2) && !isVowel(word, end - 1) && last !== 'w' && last !== 'x' && last !== 'Y';
}

function hasVowel(word: string, end: number): boolean {
  for (let i = 0; i < end; i++) if (isVowel(word, i)) return true;
  return false;
}

/** The longest of `suffixes` the word ends with. */
function longest(word: string, suffixes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const s of suffixes) if (word.endsWith(s) && (!best || s.length > best.length)) best = s;
  return best;
}

const step2: ReadonlyArray<[string, string]> = [
  ['ization', 'ize'], ['ational', 'ate'], ['fulness', 'ful'], ['ousness', 'ous'], ['iveness', 'ive'], ['tional', 'tion'], ['biliti', 'ble'], ['lessli', 'less'],
  ['entli', 'ent'], ['ation', 'ate'], ['alism', 'al'], ['aliti', 'al'], ['ousli', 'ous'], ['iviti', 'ive'], ['fulli', 'ful'], ['enci', 'ence'], ['anci', 'ance'],
  ['abli', 'able'], ['izer', 'ize'], ['ator', 'ate'], ['alli', 'al'], ['bli', 'ble'], ['ogi', 'og'], ['li', ''],
];
const step3: ReadonlyArray<[string, string]> = [
  ['ational', 'ate'], ['tional', 'tion'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'], ['ative', ''], ['ical', 'ic'], ['ness', ''], ['ful', ''],
];
const step4 = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'ion'];

export function porter2(input: string): string {
  if (input.length <= 2) return input;
  const exception = exceptions.get(input);
  if (exception) return exception;
  let word = input.startsWith("'") ? input.slice(1) : input;
  // y as a consonant: at the start, or after a vowel.
  let marked = '';
  for (let i = 0; i < word.length; i++) marked += word[i] === 'y' && (i === 0 || isVowel(word, i - 1)) ? 'Y' : word[i];
  word = marked;

  const r1 = word.startsWith('gener') || word.startsWith('arsen') ? 5 : word.startsWith('commun') ? 6 : regionAfter(word, 0);
  const r2 = regionAfter(word, r1);

  // Step 0: possessives.
  const apostrophe = longest(word, ["'s'", "'s", "'"]);
  if (apostrophe) word = word.slice(0, -apostrophe.length);

  // Step 1a: plurals.
  const plural = longest(word, ['sses', 'ied', 'ies', 'us', 'ss', 's']);
  if (plural === 'sses') word = word.slice(0, -2);
  else if (plural === 'ied' || plural === 'ies') word = word.slice(0, -3) + (word.length > 4 ? 'i' : 'ie');
  else if (plural === 's' && word.length >= 2 && hasVowel(word, word.length - 2)) word = word.slice(0, -1);
  if (afterStep1a.has(word)) return word;

  // Step 1b: -ed, -ing.
  const past = longest(word, ['eedly', 'eed', 'ingly', 'edly', 'ing', 'ed']);
  if (past === 'eed' || past === 'eedly') {
    if (word.length - past.length >= r1) word = `${word.slice(0, -past.length)}ee`;
  } else if (past && hasVowel(word, word.length - past.length)) {
    word = word.slice(0, -past.length);
    if (word.endsWith('at') || word.endsWith('bl') || word.endsWith('iz')) word += 'e';
    else if (doubles.has(word.slice(-2))) word = word.slice(0, -1);
    else if (r1 >= word.length && endsInShortSyllable(word)) word += 'e';
  }

  // Step 1c: a final y after a non-vowel that is not the first letter.
  if ((word.endsWith('y') || word.endsWith('Y')) && word.length > 2 && !isVowel(word, word.length - 2)) word = `${word.slice(0, -1)}i`;

  // Step 2 (in R1).
  const two = step2.filter(([s]) => word.endsWith(s)).sort((a, b) => b[0].length - a[0].length)[0];
  if (two && word.length - two[0].length >= r1) {
    const [suffix, replacement] = two;
    const stem = word.slice(0, -suffix.length);
    if (suffix === 'ogi') {
      if (stem.endsWith('l')) word = stem + replacement;
    } else if (suffix === 'li') {
      if (liEndings.has(stem.slice(-1))) word = stem;
    } else word = stem + replacement;
  }

  // Step 3 (in R1; -ative in R2).
  const three = step3.filter(([s]) => word.endsWith(s)).sort((a, b) => b[0].length - a[0].length)[0];
  if (three && word.length - three[0].length >= r1) {
    const [suffix, replacement] = three;
    if (suffix !== 'ative' || word.length - suffix.length >= r2) word = word.slice(0, -suffix.length) + replacement;
  }

  // Step 4 (in R2).
  const four = longest(word, step4);
  if (four && word.length - four.length >= r2) {
    const stem = word.slice(0, -four.length);
    if (four !== 'ion' || stem.endsWith('s') || stem.endsWith('t')) word = stem;
  }

  // Step 5.
  if (word.endsWith('e')) {
    const at = word.length - 1;
    if (at >= r2 || (at >= r1 && !endsInShortSyllable(word, at))) word = word.slice(0, -1);
  } else if (word.endsWith('ll') && word.length - 1 >= r2) word = word.slice(0, -1);

  return word.replaceAll('Y', 'y');
}
