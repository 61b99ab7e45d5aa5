/** How many leading items satisfy `holds`, which must hold for a prefix of the list and not after it (binary search). */
export function countLeading<T>(list: readonly T[], holds: (item: T) => boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(list[middle])) low = middle + 1;
    else high = middle;
  }
  return low;
}
