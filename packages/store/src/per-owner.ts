/**
 * One `make()` per owner, made on first use: what one process keeps beside its store or table
 * (writers taking turns, re-scores in flight, rate leases). Tests that play two processes use two
 * owners. Held weakly: an owner dropped takes its value with it.
 */
export function perOwner<Owner extends object, Value>(make: () => Value): (owner: Owner) => Value {
  const values = new WeakMap<Owner, Value>();
  return (owner) => {
    let value = values.get(owner);
    if (value === undefined) {
      value = make();
      values.set(owner, value);
    }
    return value;
  };
}
