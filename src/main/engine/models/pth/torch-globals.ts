// The allow-list: the only Python globals a checkpoint may name, and what each one builds here.
// Anything else is refused at the GLOBAL opcode itself, before any argument is even read, so a
// refused file never gets as far as a call.
import type { EngineMessageKey } from '../../../../shared/engine-message';
import { refused } from '../refusal';
import type { PickleHooks, PickleValue } from './pickle-machine';
import {
  DTYPE_SIZE,
  TorchTensor,
  checkLayout,
  materialize,
  type StorageRef,
  type TensorLayout,
  type TorchDtype,
} from './torch-tensor';

type GlobalKind = 'OrderedDict' | 'rebuild_tensor_v2' | 'rebuild_tensor' | 'rebuild_parameter';

/** A resolved, allow-listed global: a storage type marker or one of the few callables. */
class TorchGlobal {
  constructor(
    readonly qualname: string,
    readonly kind: GlobalKind | 'storage',
    readonly dtype?: TorchDtype,
  ) {}
}

const ALLOWED = new Map<string, TorchGlobal>();
function allow(qualname: string, kind: GlobalKind | 'storage', dtype?: TorchDtype): void {
  ALLOWED.set(qualname, new TorchGlobal(qualname, kind, dtype));
}
// Every state_dict() and many checkpoint wrappers are OrderedDicts.
allow('collections.OrderedDict', 'OrderedDict');
// How every tensor has pickled itself since torch 0.4 (storage, offset, size, stride, ...).
allow('torch._utils._rebuild_tensor_v2', 'rebuild_tensor_v2');
// Its torch 0.3 predecessor, still found in the oldest published SR checkpoints.
allow('torch._utils._rebuild_tensor', 'rebuild_tensor');
// How an nn.Parameter pickles (state_dict(keep_vars=True), dicts of module.parameters()).
allow('torch._utils._rebuild_parameter', 'rebuild_parameter');
// Storage types appear only inside persistent ids, naming the dtype of the storage record.
allow('torch.FloatStorage', 'storage', 'float32');
allow('torch.HalfStorage', 'storage', 'float16');
allow('torch.BFloat16Storage', 'storage', 'bfloat16');
allow('torch.DoubleStorage', 'storage', 'float64');
allow('torch.LongStorage', 'storage', 'int64'); // BatchNorm's num_batches_tracked
allow('torch.IntStorage', 'storage', 'int32');
allow('torch.ByteStorage', 'storage', 'uint8');
allow('torch.BoolStorage', 'storage', 'bool');

/** How the file names storages: zip (5-tuple), legacy (6-tuple with a view), or not at all. */
export type PersistentIdFormat = 'zip' | 'legacy' | 'none';

interface PendingTensor {
  tensor: TorchTensor;
  layout: TensorLayout;
}

// Tied weights can make several tensors view one storage; a crafted file could make thousands.
const MAX_VIEW_FACTOR = 4;
const MIN_ELEMENT_ALLOWANCE = 1 << 20;

function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}

/** What kindOf names, as catalogue values: a select word, and a qualname or type for `other`. */
function kindParams(v: unknown): { kind: string; name: string } {
  if (v instanceof TorchGlobal) return { kind: 'other', name: v.qualname };
  if (v instanceof TorchTensor) return { kind: 'tensor', name: '' };
  if (v instanceof Map) return { kind: 'dict', name: '' };
  if (Array.isArray(v)) return { kind: Object.isFrozen(v) ? 'tuple' : 'list', name: '' };
  return v === null ? { kind: 'none', name: '' } : { kind: 'other', name: typeof v };
}

function kindOf(v: unknown): string {
  if (v instanceof TorchGlobal) return v.qualname;
  if (v instanceof TorchTensor) return 'a tensor';
  if (v instanceof Map) return 'a dict';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'a tuple' : 'a list';
  return v === null ? 'None' : typeof v;
}

/**
 * The pickle hooks for one torch checkpoint: resolves the allow-list, records storages and
 * tensor layouts while the pickle runs, and fills tensor values once the storage bytes are known
 * (in the legacy format they follow the pickle).
 */
export class TorchUnpickler implements PickleHooks {
  readonly storages = new Map<string, { dtype: TorchDtype; numel: number }>();
  private readonly pending: PendingTensor[] = [];
  private readonly refs = new WeakSet<object>();
  private readonly orderedDicts = new WeakSet<object>();

  constructor(
    private readonly label: string,
    private readonly pidFormat: PersistentIdFormat,
  ) {}

  private fail(why: string): never {
    throw new Error(`${this.label}: ${why}`);
  }

  private refuse(key: EngineMessageKey, params: Record<string, string>): never {
    throw refused(key, { file: this.label, ...params });
  }

  resolveGlobal(module: string, name: string): PickleValue {
    const qualname = `${module}.${name}`;
    const g = ALLOWED.get(qualname);
    if (!g) this.refuse('modelFiles.pickleGlobal', { global: printable(qualname) });
    return g;
  }

  call(callable: PickleValue, args: PickleValue[]): PickleValue {
    if (!(callable instanceof TorchGlobal))
      this.refuse('modelFiles.pickleCalls', kindParams(callable));
    switch (callable.kind) {
      case 'OrderedDict':
        return this.orderedDict(args);
      case 'rebuild_tensor_v2':
        if (args.length !== 6 && args.length !== 7)
          this.fail(`${callable.qualname} takes 6 or 7 arguments, not ${args.length}`);
        return this.tensor(args);
      case 'rebuild_tensor':
        if (args.length !== 4)
          this.fail(`${callable.qualname} takes 4 arguments, not ${args.length}`);
        return this.tensor(args);
      case 'rebuild_parameter':
        if (args.length !== 3 || !(args[0] instanceof TorchTensor))
          this.fail(`${callable.qualname} expects a tensor and 2 more arguments`);
        return args[0];
      case 'storage':
        return this.refuse('modelFiles.pickleMarkerCall', { name: callable.qualname });
    }
  }

  construct(cls: PickleValue, args: PickleValue[]): PickleValue {
    if (cls instanceof TorchGlobal && cls.kind === 'OrderedDict' && args.length === 0)
      return this.orderedDict(args);
    return this.refuse('modelFiles.pickleConstructs', kindParams(cls));
  }

  build(obj: PickleValue, state: PickleValue): void {
    // OrderedDict state is its instance __dict__: state_dict()'s `_metadata` (module versions),
    // which importing weights does not need.
    if (this.orderedDicts.has(obj as object) && (state === null || state instanceof Map)) return;
    this.refuse('modelFiles.pickleSetsState', kindParams(obj));
  }

  persistentLoad(pid: PickleValue): PickleValue {
    if (this.pidFormat === 'none') this.fail('a persistent id appears outside the object pickle');
    const want = this.pidFormat === 'zip' ? 5 : 6;
    if (!Array.isArray(pid) || pid.length !== want || pid[0] !== 'storage')
      this.fail(`a persistent id is not a ${want}-element storage tuple`);
    const [, type, key, location, numel, view] = pid as unknown[];
    if (!(type instanceof TorchGlobal) || type.kind !== 'storage' || !type.dtype)
      return this.fail(`a persistent id names ${kindOf(type)} instead of a storage type`);
    if (typeof key !== 'string' || typeof location !== 'string')
      return this.fail('a persistent id has a non-string key or location');
    if (!Number.isSafeInteger(numel) || (numel as number) < 0)
      return this.fail(`storage ${printable(key)} has an invalid size`);
    const dtype = type.dtype;
    const seen = this.storages.get(key);
    if (seen && (seen.dtype !== dtype || seen.numel !== numel))
      this.fail(`storage ${printable(key)} is declared twice with different types or sizes`);
    this.storages.set(key, { dtype, numel: numel as number });
    let ref: StorageRef = { key, dtype, offset: 0, numel: numel as number };
    if (view !== null && view !== undefined) {
      // Pre-1.0 files may name a slice of a storage: (view_key, offset, size) in elements.
      const [, offset, size] = Array.isArray(view) ? view : [];
      if (
        !Array.isArray(view) ||
        view.length !== 3 ||
        !Number.isSafeInteger(offset) ||
        !Number.isSafeInteger(size) ||
        offset < 0 ||
        size < 0 ||
        offset + size > (numel as number)
      )
        this.fail(`storage ${printable(key)} has an invalid view`);
      ref = { key, dtype, offset: offset as number, numel: size as number };
    }
    this.refs.add(ref);
    return ref;
  }

  private orderedDict(args: PickleValue[]): Map<unknown, unknown> {
    const dict = new Map<unknown, unknown>();
    this.orderedDicts.add(dict);
    if (args.length === 0) return dict;
    // OrderedDict([(key, value), ...]), as Python 2 pickled it.
    const items = args[0];
    if (args.length !== 1 || !Array.isArray(items))
      this.fail('collections.OrderedDict takes a list of pairs');
    for (const pair of items as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2)
        this.fail('collections.OrderedDict takes a list of pairs');
      dict.set(pair[0], pair[1]);
    }
    return dict;
  }

  private tensor(args: PickleValue[]): TorchTensor {
    const [storage, storageOffset, size, stride] = args;
    if (!this.refs.has(storage as object))
      this.fail(`a tensor is rebuilt from ${kindOf(storage)} instead of a storage`);
    if (!Array.isArray(size) || !Array.isArray(stride))
      this.fail('a tensor has a size or stride that is not a tuple');
    const layout: TensorLayout = {
      storage: storage as StorageRef,
      storageOffset: storageOffset as number,
      shape: [...(size as number[])],
      stride: [...(stride as number[])],
    };
    try {
      checkLayout(layout);
    } catch (err) {
      this.fail((err as Error).message);
    }
    const tensor = new TorchTensor(layout.storage.dtype, layout.shape);
    this.pending.push({ tensor, layout });
    return tensor;
  }

  /**
   * Fills every tensor from its storage record; `record(key, bytes)` must return at least
   * `bytes` bytes for that storage or throw.
   */
  materializeAll(record: (key: string, bytes: number) => Uint8Array): void {
    let stored = 0;
    for (const s of this.storages.values()) stored += s.numel;
    let wanted = 0;
    for (const { tensor } of this.pending) wanted += tensor.shape.reduce((a, d) => a * d, 1);
    if (wanted > Math.max(MAX_VIEW_FACTOR * stored, MIN_ELEMENT_ALLOWANCE))
      this.fail(`its tensors claim ${wanted} elements from ${stored} stored`);
    const records = new Map<string, Uint8Array>();
    for (const [key, s] of this.storages)
      records.set(key, record(key, s.numel * DTYPE_SIZE[s.dtype]));
    for (const { tensor, layout } of this.pending)
      materialize(tensor, layout, records.get(layout.storage.key)!);
  }
}
