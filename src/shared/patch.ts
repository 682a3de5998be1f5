import { z } from 'zod';

type Unwrapped<S> = S extends z.ZodDefault<infer I> ? I : S extends z.ZodOptional<infer I> ? I : S;
type PatchShape<T extends z.ZodRawShape> = {
  [K in keyof T]: z.ZodOptional<z.ZodNullable<Unwrapped<T[K]>>>;
};

/**
 * A patch of an object schema: every key optional, `null` to reset a key (to its default, or to
 * absent where it has none). Unlike `.partial()`, absent keys stay absent: zod 4 fills a
 * `.default()` even inside `.partial()`, which would turn `{ tile: 64 }` into a reset of
 * everything else.
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => {
      let inner = field as z.ZodType;
      while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional)
        inner = inner.unwrap() as z.ZodType;
      return [key, inner.nullable().optional()];
    }),
  );
  return z.object(shape) as unknown as z.ZodObject<PatchShape<T>, z.core.$strip>;
}

/** A patch's values: `undefined` or absent leaves a key alone, `null` resets it. */
export type Patch<T> = { [K in keyof T]?: T[K] | null | undefined };

/** Applies a patch to a copy of `base` (reset keys are deleted, for the full schema to refill). */
export function applyPatch<T extends object>(base: T, patch: Patch<T>): Partial<T> {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  return out as Partial<T>;
}
