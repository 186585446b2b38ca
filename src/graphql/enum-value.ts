/**
 * An internal name as the GraphQL enum whose values are those names (`PathGql.FAST = 'fast'`). Checked at compile
 * time: every name the code can pass must be one of the enum's values, so a new name without its GraphQL value
 * does not build. No mapping table to keep in step.
 */
export function enumValue<E extends string>(value: `${E}`): E {
  return value as E;
}
