/**
 * A value made once per owner object and key, forgotten with its owner: the wasm kernels compile
 * or wrap code once per backend (or per wasm memory) and name, and a new backend, as the tests
 * make, must not reuse the old one's.
 */

/** Values by owner, then by key; the owner is held weakly. */
export type PerOwnerCache<Owner extends object, Value> = WeakMap<Owner, Map<string, Value>>;

/** The value cached for `owner` and `key`, made by `make` on their first use. */
export function cachedPer<Owner extends object, Value>(
  cache: PerOwnerCache<Owner, Value>,
  owner: Owner,
  key: string,
  make: () => Value,
): Value {
  let byKey = cache.get(owner);
  if (byKey === undefined) {
    byKey = new Map();
    cache.set(owner, byKey);
  }
  let value = byKey.get(key);
  if (value === undefined) {
    value = make();
    byKey.set(key, value);
  }
  return value;
}
